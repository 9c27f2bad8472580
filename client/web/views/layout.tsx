/**
 * The one layout: document head with the one stylesheet, skip link, the green header band with
 * the navigation of a signed-in user, and the page's content in <main>. A standalone document (a
 * report saved or printed) carries the stylesheet inline and links nowhere.
 */
import type { ComponentChildren } from 'preact';
import { APP_CSS, STYLESHEET_HREF } from '../assets';
import { PASSWORD_TEXT } from './password';
import { T, type Locale } from './texts';
import { EDITION_TEXT } from './texts-editions';
import { CT } from './texts-console';
import { FT } from './texts-front';

/** What the header shows of the signed-in user; null on the sign-in page and public pages. */
export interface NavUser {
  name: string;
  role: string;
  /** The session's CSRF token, carried by the sign-out form. */
  csrf: string;
  /** The embedded stack's mail catcher is mounted (admins get a link to it). */
  hasMail: boolean;
}

export interface LayoutProps {
  locale: Locale;
  /** The <title>. */
  title: string;
  /** Text of the header band; defaults to the dashboard's brand. */
  brand?: string;
  /** Path of this page (no query), for the language switch to come back to; no switch when absent. */
  here?: string;
  user?: NavUser | null;
  /** Extra <head> elements (robots, refresh). */
  head?: ComponentChildren;
  /** A self-contained document: stylesheet inline, no skip link, no navigation. */
  standalone?: boolean;
  children?: ComponentChildren;
}

export function Layout(props: LayoutProps) {
  const { locale, user } = props;
  const t = T[locale];
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {props.head}
        <title>{props.title}</title>
        {props.standalone ? (
          // Raw on purpose: the service's own stylesheet file, whose quotes and `>` must stay CSS.
          <style dangerouslySetInnerHTML={{ __html: APP_CSS }} />
        ) : (
          <link rel="stylesheet" href={STYLESHEET_HREF} />
        )}
      </head>
      <body>
        {props.standalone ? null : (
          <a class="skip" href="#main">
            {t.skip}
          </a>
        )}
        <header>
          <span class="brand">{props.brand ?? t.brand}</span>
          {props.standalone ? null : <Nav locale={locale} user={user ?? null} here={props.here} />}
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

function Nav({ locale, user, here }: { locale: Locale; user: NavUser | null; here: string | undefined }) {
  const t = T[locale];
  const other: Locale = locale === 'it' ? 'en' : 'it';
  const lang =
    here === undefined ? null : (
      <li>
        <a href={`/app/lang?to=${other}&next=${encodeURIComponent(here)}`} lang={other}>
          {t.lang}
        </a>
      </li>
    );
  if (!user) return lang ? <nav>{<ul>{lang}</ul>}</nav> : null;
  return (
    <nav aria-label={t.brand}>
      <ul>
        <li>
          <a href="/app">{t.work}</a>
        </li>
        {user.role === 'admin' || user.role === 'coordinator' ? (
          <li>
            <a href="/app/network">{t.network}</a>
          </li>
        ) : null}
        {user.role === 'admin' ? (
          <li>
            <a href="/app/editions">{EDITION_TEXT[locale].nav}</a>
          </li>
        ) : null}
        {user.role === 'admin' ? (
          <li>
            <a href="/app/console">{CT[locale].console}</a>
          </li>
        ) : null}
        {user.role !== 'consultant' ? (
          <li>
            <a href="/app/requests">{FT[locale].requestsTitle}</a>
          </li>
        ) : null}
        {user.hasMail && user.role === 'admin' ? (
          <li>
            <a href="/mail">{t.mail}</a>
          </li>
        ) : null}
        <li>
          <a href="/app/password">{PASSWORD_TEXT[locale].nav}</a>
        </li>
        {lang}
        <li>
          <form method="post" action="/logout" class="inline">
            <input type="hidden" name="csrf" value={user.csrf} />
            <button class="link" type="submit">
              {t.logout} ({user.name})
            </button>
          </form>
        </li>
      </ul>
    </nav>
  );
}
