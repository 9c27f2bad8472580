import { FlashText } from './flash';
import { Layout } from './layout';
import { FT } from './texts-front';
import { T, type Locale } from './texts';

export interface SignInProps {
  locale: Locale;
  here: string;
  /** Where to go after signing in (already checked to be on this site). */
  next: string;
  /** The pre-session CSRF token. */
  csrf: string;
  /** The refusal the server composed (wrong credentials, expired form, throttled). */
  error?: string;
}

export function SignInPage({ locale, here, next, csrf, error }: SignInProps) {
  const t = T[locale];
  return (
    <Layout locale={locale} title={`${t.signIn} · conciliaflow`} here={here}>
      <h1>{t.signIn}</h1>
      {error ? <FlashText kind="err" text={error} /> : null}
      <form method="post" action="/login" class="card narrow">
        <input type="hidden" name="csrf" value={csrf} />
        <input type="hidden" name="next" value={next} />
        <p>
          <label for="email">{t.email}</label>
          <br />
          <input id="email" name="email" type="email" autocomplete="username" required />
        </p>
        <p>
          <label for="password">{t.password}</label>
          <br />
          <input id="password" name="password" type="password" autocomplete="current-password" required />
        </p>
        <p>
          <button type="submit">{t.signIn}</button>
        </p>
      </form>
      <p>
        <a href="/password/dimenticata">{FT[locale].forgotLink}</a>
      </p>
    </Layout>
  );
}
