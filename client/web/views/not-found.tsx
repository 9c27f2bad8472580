/** The page a browser gets for an unknown address: in the chosen language, with a way back. */
import { Layout } from './layout';
import type { Locale } from './texts';
import { W } from './texts-workspace';

export function NotFoundPage({ locale, path }: { locale: Locale; path: string }) {
  const w = W[locale];
  return (
    <Layout locale={locale} title={`${w.notFoundTitle} · conciliaflow`} here={path}>
      <h1>{w.notFoundTitle}</h1>
      <p>{w.notFoundText}</p>
      <p>
        <code>{path}</code>
      </p>
      <ul class="links">
        <li>
          <a href="/app">{w.back}</a>
        </li>
        <li>
          <a href="/">{w.home}</a>
        </li>
      </ul>
    </Layout>
  );
}
