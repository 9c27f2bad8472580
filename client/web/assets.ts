/**
 * The one stylesheet, read once at start-up. Its URL carries a hash of its contents, so it can be
 * cached for a year and a new version is a new URL; the CSP allows styles from 'self' only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const APP_CSS = fs.readFileSync(path.join(__dirname, 'app.css'), 'utf8');

const digest = (encoding: 'hex' | 'base64') => crypto.createHash('sha256').update(APP_CSS, 'utf8').digest(encoding);

/** Short content hash: the cache key in the stylesheet's URL and its ETag. */
export const APP_CSS_VERSION = digest('hex').slice(0, 16);

export const STYLESHEET_HREF = `/assets/app.${APP_CSS_VERSION}.css`;

/** For a CSP that allows the stylesheet inline (a report is a self-contained document). */
export const APP_CSS_SHA256 = `'sha256-${digest('base64')}'`;
