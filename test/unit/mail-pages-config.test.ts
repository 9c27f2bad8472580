/**
 * Finding 4: the mail catcher's pages (every caught email, with working opt-out links) are served
 * only when the API listens on loopback, unless MAIL_CATCHER_PAGES=on asks for them.
 */
import { ConfigError, isLoopbackHost, loadConfig } from '../../config';

const env = (extra: Record<string, string>) => ({
  DATABASE_URL: 'file:/tmp/conciliaflow-config-test.db',
  PREFERENCES_SECRET: 'x'.repeat(32),
  ...extra,
});

test.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
  expect(isLoopbackHost(host)).toBe(true);
  expect(loadConfig(env({ HOST: host })).mailCatcherPages).toBe(true);
});

test.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'conciliaflow.example', '128.0.0.1', '127.0.0.256'])(
  '%s is not loopback: no mail pages unless asked for',
  (host) => {
    expect(isLoopbackHost(host)).toBe(false);
    expect(loadConfig(env({ HOST: host })).mailCatcherPages).toBe(false);
    expect(loadConfig(env({ HOST: host, MAIL_CATCHER_PAGES: 'on' })).mailCatcherPages).toBe(true);
  },
);

test('the default (127.0.0.1) serves them; MAIL_CATCHER_PAGES=off turns them off; other values are refused', () => {
  expect(loadConfig(env({})).mailCatcherPages).toBe(true);
  expect(loadConfig(env({ MAIL_CATCHER_PAGES: 'off' })).mailCatcherPages).toBe(false);
  expect(() => loadConfig(env({ MAIL_CATCHER_PAGES: 'yes' }))).toThrow(ConfigError);
  expect(() => loadConfig(env({ MAIL_CATCHER_PAGES: 'yes' }))).toThrow(/MAIL_CATCHER_PAGES/);
});
