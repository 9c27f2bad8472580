import nodemailer, { type Transporter } from 'nodemailer';

/**
 * A pooled SMTP transport with a rate limit. `smtp://user:pass@host:port` or `smtps://...`;
 * plain loopback servers (the mail catcher, test servers) need no TLS.
 */
export function createTransport(opts: { url: string; maxConnections: number; ratePerSecond: number }): Transporter {
  const u = new URL(opts.url);
  const secure = u.protocol === 'smtps:';
  const loopback = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname);
  return nodemailer.createTransport({
    host: u.hostname,
    port: Number(u.port || (secure ? 465 : 587)),
    secure,
    ignoreTLS: loopback && !secure,
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    pool: true,
    maxConnections: opts.maxConnections,
    rateDelta: 1000,
    rateLimit: opts.ratePerSecond,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}
