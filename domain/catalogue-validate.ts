/**
 * Checks catalogue entries before anything runs on them. An entry is data edited by hand and
 * handed to long-running workflows as input, so a mistake must stop the start-up, with a message
 * that names the entry and the field, and never surface months later in a running pathway.
 */
import {
  CATALOGUE_VERSIONS,
  SECTORS,
  type ActorRole,
  type EligibilityRules,
  type EvidenceRequirement,
  type PathwayDefinition,
  type Text,
} from './catalogue';
import { DomainError } from './errors';
import type { Locale } from './locale';

export interface CatalogueProblem {
  /** `kind@version` of the entry, or `#index` when the kind itself is unusable. */
  entry: string;
  /** Path of the field inside the entry, e.g. `steps[2].durationWorkingDays`. */
  path: string;
  message: Text;
}

// Records rather than arrays: adding a role, an evidence kind or a size to the types without
// deciding here whether it is valid fails to compile.
const ROLES: Record<ActorRole, true> = { consultant: true, sme: true, coordinator: true, admin: true };
const EVIDENCE_KINDS: Record<EvidenceRequirement['kind'], true> = {
  'document-ref': true,
  'signed-agreement': true,
  'attendance-register': true,
  report: true,
};
const SIZES: Record<EligibilityRules['sizes'][number], true> = { micro: true, small: true, medium: true };

const KEBAB_CASE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
// About one working year: a longer step is a slip (weeks or calendar days typed as working days),
// not a plan, and no programme edition leaves room for it.
const MAX_WORKING_DAYS = 250;

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  const json = JSON.stringify(v);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function entryLabel(entry: unknown, index: number): string {
  const e = isObject(entry) ? entry : {};
  const kind = typeof e.kind === 'string' && e.kind.trim() ? e.kind : `#${index}`;
  return `${kind}@${show(e.version)}`;
}

type Report = (path: string, it: string, en: string) => void;

function checkText(report: Report, path: string, value: unknown): void {
  const t = isObject(value) ? value : {};
  for (const locale of ['it', 'en'] as const) {
    const s = t[locale];
    if (typeof s !== 'string' || !s.trim()) {
      report(
        `${path}.${locale}`,
        `deve essere un testo non vuoto (valore: ${show(s)})`,
        `must be a non-empty text (got ${show(s)})`,
      );
    }
  }
}

function checkMember(report: Report, path: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    const list = allowed.join(', ');
    report(path, `deve essere uno tra ${list} (valore: ${show(value)})`, `must be one of ${list} (got ${show(value)})`);
  }
}

/** Reports values listed twice in a list already known to be an array. */
function checkDistinct(report: Report, path: string, values: readonly unknown[]): void {
  values.forEach((v, i) => {
    const first = values.indexOf(v);
    if (first < i) {
      report(
        `${path}[${i}]`,
        `ripete ${show(v)}, già in ${path}[${first}]`,
        `repeats ${show(v)}, already at ${path}[${first}]`,
      );
    }
  });
}

function checkPositiveInteger(report: Report, path: string, value: unknown): void {
  if (!isInteger(value) || value < 1) {
    report(
      path,
      `deve essere un intero positivo (valore: ${show(value)})`,
      `must be a positive integer (got ${show(value)})`,
    );
  }
}

function checkStep(report: Report, path: string, step: unknown, keysSeen: Map<string, string>): void {
  if (!isObject(step)) {
    report(path, `deve essere un oggetto passo (valore: ${show(step)})`, `must be a step object (got ${show(step)})`);
    return;
  }
  if (typeof step.key !== 'string' || !KEBAB_CASE.test(step.key)) {
    report(
      `${path}.key`,
      `deve essere in kebab-case, lettere minuscole e cifre unite da trattini (valore: ${show(step.key)})`,
      `must be kebab-case, lower-case letters and digits joined by hyphens (got ${show(step.key)})`,
    );
  } else if (keysSeen.has(step.key)) {
    const first = keysSeen.get(step.key);
    report(
      `${path}.key`,
      `ripete "${step.key}", già usato da ${first}: le chiavi dei passi devono essere uniche`,
      `repeats "${step.key}", already used by ${first}: step keys must be unique`,
    );
  } else {
    keysSeen.set(step.key, path);
  }
  checkText(report, `${path}.name`, step.name);

  const roles = step.completedBy;
  if (!Array.isArray(roles) || roles.length === 0) {
    report(
      `${path}.completedBy`,
      `deve indicare almeno un ruolo (valore: ${show(roles)})`,
      `must name at least one role (got ${show(roles)})`,
    );
  } else {
    roles.forEach((r, i) => checkMember(report, `${path}.completedBy[${i}]`, r, Object.keys(ROLES)));
    checkDistinct(report, `${path}.completedBy`, roles);
  }

  const duration = step.durationWorkingDays;
  if (!isInteger(duration) || duration < 1) {
    checkPositiveInteger(report, `${path}.durationWorkingDays`, duration);
  } else if (duration > MAX_WORKING_DAYS) {
    report(
      `${path}.durationWorkingDays`,
      `deve essere al massimo ${MAX_WORKING_DAYS} giorni lavorativi (valore: ${duration})`,
      `must be at most ${MAX_WORKING_DAYS} working days (got ${duration})`,
    );
  }

  if (hasOwn(step, 'dueWorkingDaysBeforeProgrammeEnd')) {
    const before = step.dueWorkingDaysBeforeProgrammeEnd;
    if (before !== undefined && (!isInteger(before) || before < 0 || before > MAX_WORKING_DAYS)) {
      report(
        `${path}.dueWorkingDaysBeforeProgrammeEnd`,
        `deve essere un intero da 0 a ${MAX_WORKING_DAYS} (valore: ${show(before)})`,
        `must be an integer from 0 to ${MAX_WORKING_DAYS} (got ${show(before)})`,
      );
    }
  }

  if (step.evidence !== undefined) {
    if (!isObject(step.evidence)) {
      report(
        `${path}.evidence`,
        `deve essere un oggetto con kind e label (valore: ${show(step.evidence)})`,
        `must be an object with kind and label (got ${show(step.evidence)})`,
      );
    } else {
      checkMember(report, `${path}.evidence.kind`, step.evidence.kind, Object.keys(EVIDENCE_KINDS));
      checkText(report, `${path}.evidence.label`, step.evidence.label);
    }
  }

  if (step.rationale !== undefined && (typeof step.rationale !== 'string' || !step.rationale.trim())) {
    report(
      `${path}.rationale`,
      `se presente deve essere un testo non vuoto (valore: ${show(step.rationale)})`,
      `must be a non-empty text when present (got ${show(step.rationale)})`,
    );
  }
}

function checkReminders(report: Report, value: unknown): void {
  if (!isObject(value)) {
    report('reminders', `deve essere un oggetto (valore: ${show(value)})`, `must be an object (got ${show(value)})`);
    return;
  }
  const before = value.beforeDueWorkingDays;
  if (!Array.isArray(before)) {
    report(
      'reminders.beforeDueWorkingDays',
      `deve essere un elenco, anche vuoto (valore: ${show(before)})`,
      `must be a list, possibly empty (got ${show(before)})`,
    );
  } else {
    before.forEach((d, i) => checkPositiveInteger(report, `reminders.beforeDueWorkingDays[${i}]`, d));
    checkDistinct(report, 'reminders.beforeDueWorkingDays', before);
  }
  if (typeof value.onDueDay !== 'boolean') {
    report(
      'reminders.onDueDay',
      `deve essere true o false (valore: ${show(value.onDueDay)})`,
      `must be true or false (got ${show(value.onDueDay)})`,
    );
  }
  const overdue = value.overdueAfterWorkingDays;
  const escalate = value.escalateAfterWorkingDays;
  if (!isInteger(overdue) || overdue < 1) {
    report(
      'reminders.overdueAfterWorkingDays',
      `deve essere un intero non inferiore a 1 (valore: ${show(overdue)})`,
      `must be an integer of at least 1 (got ${show(overdue)})`,
    );
  }
  if (!isInteger(escalate) || (isInteger(overdue) && escalate <= overdue)) {
    // Escalating to the consultant before (or with) the SME's own overdue notice skips the SME's chance to act.
    report(
      'reminders.escalateAfterWorkingDays',
      `deve essere un intero maggiore di overdueAfterWorkingDays (${show(overdue)}) (valore: ${show(escalate)})`,
      `must be an integer greater than overdueAfterWorkingDays (${show(overdue)}) (got ${show(escalate)})`,
    );
  }
}

function checkEligibility(report: Report, value: unknown): void {
  if (!isObject(value)) {
    report('eligibility', `deve essere un oggetto (valore: ${show(value)})`, `must be an object (got ${show(value)})`);
    return;
  }
  const sizes = value.sizes;
  if (!Array.isArray(sizes) || sizes.length === 0) {
    report(
      'eligibility.sizes',
      `deve indicare almeno una tra micro, small, medium (valore: ${show(sizes)})`,
      `must list at least one of micro, small, medium (got ${show(sizes)})`,
    );
  } else {
    sizes.forEach((s, i) => checkMember(report, `eligibility.sizes[${i}]`, s, Object.keys(SIZES)));
    checkDistinct(report, 'eligibility.sizes', sizes);
  }
  if (value.sectors !== undefined) {
    const sectors = value.sectors;
    // An empty list would admit nobody while reading like "no restriction": omit the field instead.
    if (!Array.isArray(sectors) || sectors.length === 0) {
      report(
        'eligibility.sectors',
        `deve indicare almeno un settore, oppure essere omesso per ammettere tutti i settori (valore: ${show(sectors)})`,
        `must list at least one sector, or be left out to admit every sector (got ${show(sectors)})`,
      );
    } else {
      sectors.forEach((s, i) => checkMember(report, `eligibility.sectors[${i}]`, s, SECTORS));
      checkDistinct(report, 'eligibility.sectors', sectors);
    }
  }
  if (value.maxStaff !== undefined) checkPositiveInteger(report, 'eligibility.maxStaff', value.maxStaff);
  if (typeof value.networks !== 'boolean') {
    report(
      'eligibility.networks',
      `deve essere true o false (valore: ${show(value.networks)})`,
      `must be true or false (got ${show(value.networks)})`,
    );
  }
  if (value.allowsUnregistered !== undefined && typeof value.allowsUnregistered !== 'boolean') {
    report(
      'eligibility.allowsUnregistered',
      `se presente deve essere true o false (valore: ${show(value.allowsUnregistered)})`,
      `must be true or false when present (got ${show(value.allowsUnregistered)})`,
    );
  }
  for (const flag of ['anySize', 'careCompanies'] as const) {
    if (value[flag] !== undefined && typeof value[flag] !== 'boolean') {
      report(
        `eligibility.${flag}`,
        `se presente deve essere true o false (valore: ${show(value[flag])})`,
        `must be true or false when present (got ${show(value[flag])})`,
      );
    }
  }
  if (value.audience !== undefined)
    checkMember(report, 'eligibility.audience', value.audience, ['women-excluded-from-labour-market']);
  if (value.note !== undefined) checkText(report, 'eligibility.note', value.note);
}

export interface ValidateOptions {
  /**
   * The entries are the full history (CATALOGUE_VERSIONS): every kind must start at version 1.
   * Without it a kind given once may be at any version, so a snapshot such as the current
   * CATALOGUE (congedo at v2 alone) validates too.
   */
  history?: boolean;
}

/** Every problem of the given entries, in entry order; empty when they are all valid. */
export function catalogueProblems(
  entries: readonly PathwayDefinition[],
  options: ValidateOptions = {},
): CatalogueProblem[] {
  const problems: CatalogueProblem[] = [];
  // kind -> version -> label of the first entry seen with that pair
  const published = new Map<string, Map<number, string>>();
  const actionOf = new Map<string, { action: unknown; entry: string }>();

  entries.forEach((raw: unknown, index) => {
    const entry = entryLabel(raw, index);
    const report: Report = (path, it, en) => problems.push({ entry, path, message: { it, en } });
    if (!isObject(raw)) {
      report('', `deve essere un oggetto (valore: ${show(raw)})`, `must be an object (got ${show(raw)})`);
      return;
    }
    const { kind, version } = raw;
    const kindOk = typeof kind === 'string' && KEBAB_CASE.test(kind);
    if (!kindOk) {
      report(
        'kind',
        `deve essere in kebab-case, lettere minuscole e cifre unite da trattini (valore: ${show(kind)})`,
        `must be kebab-case, lower-case letters and digits joined by hyphens (got ${show(kind)})`,
      );
    }
    checkPositiveInteger(report, 'version', version);
    checkPositiveInteger(report, 'action', raw.action);
    if (kindOk && isInteger(version) && version >= 1) {
      const versions = published.get(kind) ?? new Map<number, string>();
      published.set(kind, versions);
      const first = versions.get(version);
      if (first !== undefined) {
        report(
          'version',
          `è pubblicata due volte (anche la voce ${first}): ogni coppia tipo e versione deve essere unica`,
          `is published twice (also entry ${first}): each kind and version pair must be unique`,
        );
      } else {
        versions.set(version, `#${index}`);
      }
      // The action a kind funds is what the Region reports on: a new version may not move it.
      const seen = actionOf.get(kind);
      if (!seen) actionOf.set(kind, { action: raw.action, entry });
      else if (seen.action !== raw.action) {
        report(
          'action',
          `deve restare ${show(seen.action)} come in "${seen.entry}" (valore: ${show(raw.action)})`,
          `must stay ${show(seen.action)} as in "${seen.entry}" (got ${show(raw.action)})`,
        );
      }
    }
    checkText(report, 'name', raw.name);
    checkText(report, 'description', raw.description);

    if (!Array.isArray(raw.steps) || raw.steps.length === 0) {
      report(
        'steps',
        `deve contenere almeno un passo (valore: ${show(raw.steps)})`,
        `must list at least one step (got ${show(raw.steps)})`,
      );
    } else {
      const keysSeen = new Map<string, string>();
      raw.steps.forEach((step, i) => checkStep(report, `steps[${i}]`, step, keysSeen));
    }
    checkReminders(report, raw.reminders);
    // Absent eligibility is legitimate: v1 histories were recorded before it existed.
    if (raw.eligibility !== undefined) checkEligibility(report, raw.eligibility);
  });

  // A gap would leave enrollments pointing at a version nobody can find again.
  for (const [kind, versions] of published) {
    if (versions.size === 1 && !options.history) continue;
    for (const version of versions.keys()) {
      if (version > 1 && !versions.has(version - 1)) {
        problems.push({
          entry: `${kind}@${version}`,
          path: 'version',
          message: {
            it: `non segue alcuna versione ${version - 1} di "${kind}": le versioni di un tipo vanno 1, 2, 3… senza salti`,
            en: `follows no version ${version - 1} of "${kind}": the versions of a kind run 1, 2, 3… without gaps`,
          },
        });
      }
    }
  }
  return problems;
}

/** Throws a DomainError `invalid_catalogue` listing every problem, each naming its entry and field. */
export function validateCatalogue(entries: readonly PathwayDefinition[], options: ValidateOptions = {}): void {
  const problems = catalogueProblems(entries, options);
  if (problems.length === 0) return;
  const line = (p: CatalogueProblem, locale: Locale) => {
    const field = p.path ? `${p.path} ` : '';
    return locale === 'it'
      ? `voce di catalogo "${p.entry}": ${field}${p.message.it}`
      : `catalogue entry "${p.entry}": ${field}${p.message.en}`;
  };
  throw new DomainError(
    'invalid_catalogue',
    { it: problems.map((p) => line(p, 'it')).join('; '), en: problems.map((p) => line(p, 'en')).join('; ') },
    { problems },
  );
}

let publishedVersionsValid = false;

/**
 * Validates every published version (CATALOGUE_VERSIONS). Cheap to call from anywhere: the
 * published data is fixed at build time, so after one success it only returns.
 */
export function assertCatalogueValid(): void {
  if (publishedVersionsValid) return;
  validateCatalogue(CATALOGUE_VERSIONS, { history: true });
  publishedVersionsValid = true;
}
