/**
 * Connecting to a Temporal server behind TLS with a client certificate (mTLS), as on a secured
 * cluster or Temporal Cloud: the configuration's TEMPORAL_TLS_* variables reach both the client and
 * the worker. The dev server speaks plain gRPC, so a TLS terminator that demands a client
 * certificate signed by the test CA sits in front of it (certificates made with openssl).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../../config';
import { temporalConnectionOptions } from '../../client/temporal';
import { freePort, startDevServer, type DevServer } from '../../scripts/dev-server';
import { backgroundWorker, createTestDb, startSmtp } from '../support/fixtures';
import type { MailCatcher } from '../../mail/mail-catcher';
import type { Db } from '../../infra/db';

jest.setTimeout(120_000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-tls-'));
const file = (name: string) => path.join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A certificate for `cn` signed by the test CA, with the given X.509 extensions. */
function signed(name: string, cn: string, ext: string): void {
  fs.writeFileSync(file(`${name}.ext`), ext);
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${cn}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  );
}

let server: DevServer;
let proxy: tls.Server;
let proxyAddress: string;
let handshakes = { ok: 0, refused: 0 };
let db: Db;
let catcher: MailCatcher;

beforeAll(async () => {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  signed('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  signed('client', 'conciliaflow-worker', 'extendedKeyUsage=clientAuth\n');
  server = await startDevServer({ cliPath: process.env.CF_TEMPORAL_CLI!, port: await freePort() });
  const [host, port] = server.address.split(':');
  // gRPC is HTTP/2: after the TLS handshake (ALPN h2) the bytes go unchanged to the plain server.
  proxy = tls.createServer(
    {
      key: fs.readFileSync(file('server.key')),
      cert: fs.readFileSync(file('server.pem')),
      ca: fs.readFileSync(file('ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      handshakes.ok++;
      const upstream = net.connect(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    },
  );
  proxy.on('tlsClientError', () => handshakes.refused++);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyAddress = `localhost:${(proxy.address() as net.AddressInfo).port}`;
  ({ db } = createTestDb());
  catcher = await startSmtp();
});

afterAll(async () => {
  proxy?.close();
  await catcher?.stop();
  await db?.$disconnect();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tlsEnv = () => ({
  TEMPORAL_ADDRESS: proxyAddress,
  TEMPORAL_TLS_CERT: file('client.pem'),
  TEMPORAL_TLS_KEY: file('client.key'),
  TEMPORAL_TLS_CA: file('ca.pem'),
  PREFERENCES_SECRET: 'x'.repeat(32),
});

test('worker and client reach Temporal over mTLS from the configuration, and a reminder is delivered', async () => {
  handshakes = { ok: 0, refused: 0 };
  const config = loadConfig(tlsEnv());
  const options = temporalConnectionOptions(config, config.temporalAddress!);
  const nativeConnection = await NativeConnection.connect(options);
  const connection = await Connection.connect(options);
  const taskQueue = 'tls';
  const worker = await backgroundWorker({ connection: nativeConnection, taskQueue, db, catcher });
  try {
    const client = new Client({ connection });
    await client.workflow.execute('reminderBenchWorkflow', {
      taskQueue,
      workflowId: 'tls-reminder',
      args: [{ key: 'tls-reminder', dueAt: Date.now(), email: 'anna@tls.test' }],
    });
    const mail = catcher.messages();
    expect(mail.map((m) => m.to)).toEqual([['anna@tls.test']]);
    expect(handshakes.ok).toBeGreaterThanOrEqual(2);
    expect(handshakes.refused).toBe(0);
  } finally {
    await worker.stop();
    await connection.close();
    await nativeConnection.close();
  }
});

test('without the client certificate the server refuses the connection', async () => {
  handshakes = { ok: 0, refused: 0 };
  const { TEMPORAL_TLS_CERT: _c, TEMPORAL_TLS_KEY: _k, ...env } = tlsEnv();
  const config = loadConfig(env);
  await expect(
    Connection.connect({ ...temporalConnectionOptions(config, config.temporalAddress!), connectTimeout: 3000 }),
  ).rejects.toThrow();
  expect(handshakes.ok).toBe(0);
  expect(handshakes.refused).toBeGreaterThan(0);
});

test('a plain connection to the TLS port does not get through', async () => {
  await expect(Connection.connect({ address: proxyAddress, connectTimeout: 3000 })).rejects.toThrow();
});

describe('configuration errors name the variable to fix', () => {
  const base = { PREFERENCES_SECRET: 'x'.repeat(32) };
  test.each([
    [
      'certificate without key',
      { ...base, TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS_CERT: __filename },
      /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/,
    ],
    [
      'missing CA file',
      { ...base, TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS_CA: '/nonexistent/ca.pem' },
      /TEMPORAL_TLS_CA: no file/,
    ],
    ['API key without an address', { ...base, TEMPORAL_API_KEY: 'k' }, /needs TEMPORAL_ADDRESS/],
    [
      'TLS off with a CA',
      { ...base, TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS: 'off', TEMPORAL_TLS_CA: __filename },
      /contradicts/,
    ],
  ])('%s', (_name, env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  test('an API key alone turns TLS on with the system roots; TEMPORAL_TLS=off keeps a plain connection', () => {
    const cloud = loadConfig({ ...base, TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'secret' });
    expect(temporalConnectionOptions(cloud, cloud.temporalAddress!)).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: {},
      apiKey: 'secret',
    });
    const plain = loadConfig({ ...base, TEMPORAL_ADDRESS: '127.0.0.1:7233' });
    expect(temporalConnectionOptions(plain, plain.temporalAddress!)).toEqual({ address: '127.0.0.1:7233' });
  });
});
