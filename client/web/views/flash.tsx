/**
 * Flash messages travel as codes (`?flash=<code>`, and `?done=1` after a completed step): the page
 * shows the text this table holds for the code, never text taken from the URL. An unknown code
 * shows nothing.
 */
import type { Locale } from './texts';

type Kind = 'ok' | 'err';

const FLASH: Record<string, { kind: Kind; it: string; en: string }> = {
  step_completed: { kind: 'ok', it: 'Attività completata.', en: 'Step completed.' },
  // The staff workspace: a pathway action carried out (its details are in the timeline).
  action_done: {
    kind: 'ok',
    it: 'Fatto: la cronologia riporta la modifica.',
    en: 'Done: the timeline shows the change.',
  },
  step_not_completed: {
    kind: 'err',
    it: "L'attività non è stata completata: nulla è cambiato.",
    en: 'The step was not completed: nothing changed.',
  },
  evidence_required: {
    kind: 'err',
    it: "Per completare questa attività serve un'evidenza (protocollo, documento).",
    en: 'This step needs evidence (a reference or a document) to be completed.',
  },
  step_out_of_order: {
    kind: 'err',
    it: 'Le attività precedenti vanno completate prima di questa.',
    en: 'The earlier steps must be completed before this one.',
  },
  step_already_completed: { kind: 'err', it: "L'attività era già completata.", en: 'The step was already completed.' },
  unknown_step: { kind: 'err', it: 'Attività inesistente in questo percorso.', en: 'No such step in this pathway.' },
  role_not_allowed: {
    kind: 'err',
    it: 'Il tuo ruolo non può completare questa attività.',
    en: 'Your role cannot complete this step.',
  },
  pathway_closed: {
    kind: 'err',
    it: 'Il percorso è concluso: non accetta più modifiche.',
    en: 'The pathway has finished: it accepts no more changes.',
  },
  not_found: { kind: 'err', it: 'Adesione non trovata.', en: 'Enrollment not found.' },
  forbidden: { kind: 'err', it: 'Operazione non consentita.', en: 'Not allowed.' },
};

/** The code a refused action redirects with: the refusal's own code when this table has words for it. */
export function flashCodeFor(errorCode: string): string {
  return errorCode in FLASH && FLASH[errorCode]!.kind === 'err' ? errorCode : 'step_not_completed';
}

/** The code to show for a page's query string, or null. */
export function flashFromQuery(query: { done?: unknown; flash?: unknown }): string | null {
  if (query.done === '1') return 'step_completed';
  return typeof query.flash === 'string' && Object.hasOwn(FLASH, query.flash) ? query.flash : null;
}

export function Flash({ code, locale }: { code: string | null; locale: Locale }) {
  const f = code ? FLASH[code] : undefined;
  if (!f) return null;
  return f.kind === 'ok' ? (
    <p class="flash ok" role="status">
      {f[locale]}
    </p>
  ) : (
    <FlashText kind="err" text={f[locale]} />
  );
}

/** A message the server composed itself (a refusal's text, a result): never from the URL. */
export function FlashText({ kind, text }: { kind: Kind; text: string }) {
  return kind === 'ok' ? (
    <p class="flash ok" role="status">
      {text}
    </p>
  ) : (
    <p class="flash err" role="alert">
      {text}
    </p>
  );
}
