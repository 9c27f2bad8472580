/**
 * Scheduled milestone reports: weekly to each network's coordinators (their network, by pathway
 * kind), monthly to the Region's admins (every network). The CSV is attached; the body carries a
 * short summary. The outbox key is the scope and the day, so a retried run sends nothing twice.
 */
import { formatRomeDate, localDateOf, localDateToIso } from '../domain/calendar';
import { ATS_NETWORKS } from '../domain/territory';
import type { Db } from '../infra/db';
import type { Dialect } from '../infra/db-url';
import type { NotifyInput, NotifyResult, TemplateName } from './types';
import { milestoneReport, type MilestoneFigures } from '../reports/milestones';
import { milestoneReportCsv } from '../reports/render-milestones';
import { weekStartIso } from './digests';
import type { Locale } from '../domain/locale';

export type ReportScope = { scope: 'network'; atsCode: string } | { scope: 'region' };

export interface ReportRun {
  target: ReportScope;
  asOf: number;
}

export interface ReportDeliveryResult {
  recipients: number;
  sent: number;
  alreadySent: number;
  enrollments: number;
  skipped?: string;
}

type Notify = (input: NotifyInput<TemplateName>) => Promise<NotifyResult>;

export function reportHighlights(t: MilestoneFigures, locale: Locale): string[] {
  const steps = t.stepsOnTime + t.stepsLate;
  if (locale === 'en')
    return [
      `${t.enrollments} enrollments: ${t.active} active, ${t.completed} completed, ${t.withdrawn} withdrawn, ${t.expired} expired`,
      `${steps} steps completed, ${t.stepsOnTime} of them on time`,
      ...(t.medianDaysPerStep === null
        ? []
        : [`Days per step: median ${t.medianDaysPerStep}, 90th percentile ${t.p90DaysPerStep}`]),
      `${t.atRisk} pathways at risk of missing the programme end`,
    ];
  const dec = (v: number | null) => String(v).replace('.', ',');
  return [
    `${t.enrollments} adesioni: ${t.active} in corso, ${t.completed} concluse, ${t.withdrawn} ritirate, ${t.expired} scadute`,
    `${steps} fasi completate, ${t.stepsOnTime} entro la scadenza`,
    ...(t.medianDaysPerStep === null
      ? []
      : [`Giorni per fase: mediana ${dec(t.medianDaysPerStep)}, 90° percentile ${dec(t.p90DaysPerStep)}`]),
    `${t.atRisk} percorsi a rischio di non concludersi entro la fine dell'edizione`,
  ];
}

export function createReportDeliveryActivities(deps: { db: Db; dialect: Dialect; notify: Notify }) {
  const { db, dialect, notify } = deps;
  return {
    async sendMilestoneReport(run: ReportRun): Promise<ReportDeliveryResult> {
      const { target } = run;
      const network = target.scope === 'network' ? ATS_NETWORKS.find((a) => a.code === target.atsCode) : undefined;
      if (target.scope === 'network' && !network)
        return { skipped: `unknown network ${target.atsCode}`, recipients: 0, sent: 0, alreadySent: 0, enrollments: 0 };
      const recipients = await db.user.findMany({
        where:
          target.scope === 'network'
            ? { role: 'coordinator', atsCode: target.atsCode, disabledAt: null }
            : { role: 'admin', disabledAt: null },
        orderBy: { email: 'asc' },
      });
      const report = await milestoneReport(db, dialect, {
        by: target.scope === 'network' ? 'kind' : 'network',
        ...(target.scope === 'network' ? { atsCode: target.atsCode } : {}),
        asOf: run.asOf,
      });
      const result: ReportDeliveryResult = {
        recipients: recipients.length,
        sent: 0,
        alreadySent: 0,
        enrollments: report.total.enrollments,
      };
      if (recipients.length === 0) {
        result.skipped = `no ${target.scope === 'network' ? 'coordinator' : 'admin'} users to send to`;
        return result;
      }
      const day = localDateToIso(localDateOf(run.asOf));
      const scopeKey = target.scope === 'network' ? `network:${target.atsCode}` : 'region';
      const csv = milestoneReportCsv(report);
      for (const r of recipients) {
        const locale = r.locale === 'en' ? 'en' : 'it';
        const weekly = target.scope === 'network';
        const periodLabel = weekly
          ? `${locale === 'it' ? 'settimana del' : 'week of'} ${formatRomeDate(Date.parse(`${weekStartIso(run.asOf)}T12:00:00Z`), locale)}`
          : new Intl.DateTimeFormat(locale === 'it' ? 'it-IT' : 'en-GB', {
              month: 'long',
              year: 'numeric',
              timeZone: 'Europe/Rome',
            }).format(run.asOf);
        const out = await notify({
          key: `report:${scopeKey}:${day}`,
          template: 'report-delivery',
          to: [{ name: r.name, email: r.email, locale }],
          context: {
            networkName: network?.name ?? 'Regione Lombardia',
            reportName:
              locale === 'it'
                ? weekly
                  ? 'Avanzamento settimanale dei percorsi'
                  : 'Avanzamento mensile dei percorsi per rete'
                : weekly
                  ? 'Weekly pathway progress'
                  : 'Monthly pathway progress by network',
            periodLabel,
            highlights: reportHighlights(report.total, locale),
          },
          attachments: [
            {
              filename: `${locale === 'it' ? 'traguardi' : 'milestones'}-${target.scope === 'network' ? target.atsCode : 'regione'}-${day}.csv`,
              contentType: 'text/csv; charset=utf-8',
              content: csv,
            },
          ],
        });
        result.sent += out.sent;
        result.alreadySent += out.alreadySent;
      }
      return result;
    },
  };
}
