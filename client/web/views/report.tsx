/** The printable shell of every report: the one layout as a self-contained document (A4 when printed). */
import type { ComponentChildren } from 'preact';
import { Layout } from './layout';
import type { Locale } from './texts';

export const BRAND_GREEN = '#00843D';

export function ReportDocument(p: { locale: Locale; title: string; brand: string; children?: ComponentChildren }) {
  return (
    <Layout locale={p.locale} title={p.title} brand={p.brand} standalone>
      <h1>{p.title}</h1>
      {p.children}
    </Layout>
  );
}
