/**
 * The printable HTML shell shared by every report: branded header, tables, inline SVG charts,
 * and print rules so that "Save as PDF" gives a clean A4 document.
 */
import { escapeHtml } from '../mail/mail-catcher-view';

export const BRAND_GREEN = '#00843D';

export const esc = (s: unknown) => escapeHtml(String(s ?? ''));

/** The exact contents of the report's <style> element (the API's Content-Security-Policy allows it by hash). */
export const REPORT_CSS = `*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;line-height:1.4}
header{background:${BRAND_GREEN};color:#fff;padding:1rem 1.5rem;font-weight:600}
main{padding:1rem 1.5rem;max-width:64rem;margin:auto}
h1{font-size:1.35rem}
table{border-collapse:collapse;width:100%;margin:1.5rem 0}
caption{text-align:left;font-weight:600;padding-bottom:.5rem}
th,td{border-bottom:1px solid #ddd;padding:.4rem .5rem;text-align:left;vertical-align:top}
thead th{border-bottom:2px solid ${BRAND_GREEN}}
tfoot th,tfoot td{border-top:2px solid #1a1a1a;font-weight:700}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:1.5rem 0}
figcaption{font-weight:600;margin-bottom:.5rem}
svg{max-width:100%;height:auto}
.legend span{display:inline-block;margin-right:1rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
@page{size:A4;margin:15mm}
@media print{
body{font-size:10pt}
header,.bar,thead th,.legend i{-webkit-print-color-adjust:exact;print-color-adjust:exact}
header{padding:.5rem 0}
main{max-width:none;padding:0}
thead{display:table-header-group}
tfoot{display:table-footer-group}
tr,figure{break-inside:avoid;page-break-inside:avoid}
h1,caption{break-after:avoid;page-break-after:avoid}
}`;

/** A complete, self-contained HTML document (no external assets, so it opens offline and prints). */
export function reportPage(opts: { title: string; locale: 'it' | 'en'; header: string; body: string }): string {
  return `<!doctype html>
<html lang="${opts.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(opts.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>${esc(opts.header)}</header>
<main>
<h1>${esc(opts.title)}</h1>
${opts.body}
</main>
</body>
</html>
`;
}
