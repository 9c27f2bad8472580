/** A firm's page: its details, participants and contacts, and the pathways the caller may see. */
import { Layout, type NavUser } from './layout';
import { T, type Locale } from './texts';
import { W } from './texts-workspace';
import type { CompanyPageData } from '../workspace-loaders';

export function CompanyPage(p: { locale: Locale; here: string; user: NavUser; company: CompanyPageData }) {
  const t = T[p.locale];
  const w = W[p.locale];
  const c = p.company;
  return (
    <Layout locale={p.locale} title={`${c.name} · conciliaflow`} here={p.here} user={p.user}>
      <h1>{c.name}</h1>
      <dl class="facts">
        <dt>{w.vat}</dt>
        <dd>{c.vatNumber}</dd>
        <dt>{w.province}</dt>
        <dd>
          {c.city ? `${c.city}, ` : ''}
          {c.province}
        </dd>
        <dt>{w.network}</dt>
        <dd>{c.network}</dd>
        {c.businessNetwork ? (
          <>
            <dt>{w.firm}</dt>
            <dd>
              <a href={`/app/companies/${encodeURIComponent(c.businessNetwork.id)}`}>{c.businessNetwork.name}</a>
            </dd>
          </>
        ) : null}
      </dl>
      {c.members.length > 0 ? (
        <ul class="links">
          {c.members.map((m) => (
            <li>
              <a href={`/app/companies/${encodeURIComponent(m.id)}`}>{m.name}</a>
            </li>
          ))}
        </ul>
      ) : null}
      <h2 id="people">{w.participants}</h2>
      {c.participants.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <table class="responsive" aria-labelledby="people">
          <thead>
            <tr>
              <th scope="col">{w.name}</th>
              <th scope="col">{t.email}</th>
              <th scope="col">{w.role}</th>
            </tr>
          </thead>
          <tbody>
            {c.participants.map((pp) => (
              <tr>
                <th scope="row" data-label={w.name}>
                  {pp.name}
                </th>
                <td data-label={t.email}>
                  <a href={`mailto:${pp.email}`}>{pp.email}</a>
                </td>
                <td data-label={w.role}>{pp.role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 id="paths">{w.pathways}</h2>
      {c.enrollments.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <table class="responsive" aria-labelledby="paths">
          <thead>
            <tr>
              <th scope="col">{t.pathway}</th>
              <th scope="col">{w.edition}</th>
              <th scope="col">{t.status}</th>
              <th scope="col">{t.step}</th>
              <th scope="col">{t.due}</th>
              <th scope="col">{w.daysLate}</th>
              <th scope="col">{t.consultant}</th>
            </tr>
          </thead>
          <tbody>
            {c.enrollments.map((e) => (
              <tr>
                <th scope="row" data-label={t.pathway}>
                  <a href={`/app/enrollments/${encodeURIComponent(e.id)}`}>{e.pathwayName}</a>
                </th>
                <td data-label={w.edition}>{e.edition}</td>
                <td data-label={t.status}>{e.status}</td>
                <td data-label={t.step}>{e.stepName}</td>
                <td data-label={t.due}>{e.due}</td>
                <td data-label={w.daysLate} class={e.daysLate > 0 ? 'overdue' : undefined}>
                  {e.daysLate}
                </td>
                <td data-label={t.consultant}>{e.consultantName}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
