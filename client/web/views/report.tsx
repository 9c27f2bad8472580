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

/** A report's inline bar chart: the SVG, its accessible title and the axis the bars grow from. */
export function BarChart(p: {
  width: number;
  height: number;
  labelWidth: number;
  label: string;
  children?: ComponentChildren;
}) {
  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${p.width} ${p.height}`}
      width="100%"
      role="img"
      aria-label={p.label}
      font-family="system-ui,sans-serif"
      font-size="13"
    >
      <title>{p.label}</title>
      <line x1={p.labelWidth} y1={0} x2={p.labelWidth} y2={p.height} stroke="#888" />
      {p.children}
    </svg>
  );
}
