/**
 * Browser security headers on every answer. The Content-Security-Policy allows no script at all
 * (no page needs one), and styles only from the server's own stylesheets, by hash: each page's
 * <style> element holds one of the constants below, so an injected <style> or style attribute is
 * refused even if escaping ever failed.
 */
import crypto from 'node:crypto';
import { MAIL_CATCHER_CSS } from '../../activities/mail/mail-catcher-view';
import { REPORT_CSS } from '../../activities/reports/page';
import { DASHBOARD_CSS } from './dashboard';
import { DOCS_CSS } from './docs-page';
import { ENROLLMENT_PAGE_CSS, OPT_OUT_PAGE_CSS } from './pages';

const hash = (css: string) => `'sha256-${crypto.createHash('sha256').update(css, 'utf8').digest('base64')}'`;

const STYLE_HASHES = [DASHBOARD_CSS, DOCS_CSS, ENROLLMENT_PAGE_CSS, OPT_OUT_PAGE_CSS, REPORT_CSS, MAIL_CATCHER_CSS]
  .map(hash)
  .join(' ');

const directives = (styleSrc: string) =>
  [
    "default-src 'none'",
    `style-src ${styleSrc}`,
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

export const CONTENT_SECURITY_POLICY = directives(STYLE_HASHES);

/**
 * The mail catcher's message page shows the email's own HTML (inline styles) in a sandboxed
 * srcdoc frame, which inherits the page's policy: styles of any kind are allowed there, scripts
 * still are not (and the sandbox runs none).
 */
export const MAIL_MESSAGE_CONTENT_SECURITY_POLICY = directives("'unsafe-inline'");

export function securityHeaders(publicUrl: string | undefined): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    // Opt-out links carry their token in the URL: no page hands its address to another site.
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    ...((publicUrl ?? '').startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}
