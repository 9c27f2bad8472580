import { Layout, type NavUser } from './layout';
import type { Locale } from './texts';

/** A page that only says one thing (not found, reserved): the server's own words. */
export function MessagePage(p: { locale: Locale; here: string; user: NavUser | null; title: string; text: string }) {
  return (
    <Layout locale={p.locale} title={`${p.title} · conciliaflow`} here={p.here} user={p.user}>
      <h1>{p.title}</h1>
      <p>{p.text}</p>
    </Layout>
  );
}
