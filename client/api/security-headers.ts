/**
 * Browser security headers on every answer. The Content-Security-Policy allows no script at all
 * (no page needs one), and styles only from the server's own stylesheet file (/assets/app.*.css):
 * an injected <style> element or style attribute is refused even if escaping ever failed.
 */
import { APP_CSS_SHA256 } from '../web/assets';

const directives = (styleSrc: string) =>
  [
    "default-src 'none'",
    `style-src ${styleSrc}`,
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

export const CONTENT_SECURITY_POLICY = directives("'self'");

/**
 * An HTML report is a self-contained document (it is saved, printed, mailed): it carries the
 * stylesheet inline, allowed by the hash of that one file's contents.
 */
export const REPORT_CONTENT_SECURITY_POLICY = directives(`'self' ${APP_CSS_SHA256}`);

/**
 * The mail catcher's message page shows the email's own HTML (inline styles) in a sandboxed
 * srcdoc frame, which inherits the page's policy: styles of any kind are allowed there, scripts
 * still are not (and the sandbox runs none).
 */
export const MAIL_MESSAGE_CONTENT_SECURITY_POLICY = directives("'self' 'unsafe-inline'");

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
