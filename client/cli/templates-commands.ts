/** `conciliaflow templates …`: loaded only when one runs (handlebars and the message registry). */
import { listTemplates, renderMessage, sampleContext, TemplateError } from '../../mail/render';
import { CliError, printJson } from './common';

export function templatesList(json: boolean): void {
  const list = listTemplates();
  if (json) return printJson(list);
  for (const t of list)
    process.stdout.write(`${t.name.padEnd(24)} ${t.locales.join(',').padEnd(6)} ${t.variables.join(', ')}\n`);
}

export function templatesPreview(name: string, o: { locale: string; part: string }, json: boolean): void {
  if (o.locale !== 'it' && o.locale !== 'en') throw new CliError('--locale must be it or en', 2);
  try {
    const rendered = renderMessage(name, o.locale, sampleContext(name, o.locale));
    if (json) return printJson(rendered);
    const part = rendered[o.part as 'text' | 'html' | 'subject'];
    if (part === undefined) throw new CliError('--part must be text, html or subject', 2);
    process.stdout.write(o.part === 'text' ? `Oggetto/Subject: ${rendered.subject}\n\n${part}\n` : `${part}\n`);
  } catch (err) {
    if (err instanceof TemplateError) throw new CliError(err.message, 2);
    throw err;
  }
}
