/**
 * A real S3-compatible server for the document tests: SeaweedFS (`weed mini`, built once by
 * `npm run provision` into the cache) on loopback, every port chosen free, with one bucket and
 * credentials of its own. Missing binary = a failing test that says to provision, never a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { s3Store, type DocumentStore } from '../../infra/document-store';
import { seaweedfsCachedPath } from '../../scripts/paths';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Seaweed {
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  store(prefix: string): DocumentStore;
  /** Every object key under the prefix (to prove a refused upload stored nothing). */
  keys(prefix: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startSeaweed(): Promise<Seaweed> {
  const bin = process.env.CF_SEAWEEDFS ?? seaweedfsCachedPath();
  if (!fs.existsSync(bin))
    throw new Error(`SeaweedFS is not built at ${bin}: run \`npm run provision\` (npm test runs it first).`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-seaweed-'));
  const names = [
    'master.port',
    'master.port.grpc',
    'volume.port',
    'volume.port.grpc',
    'filer.port',
    'filer.port.grpc',
    's3.port',
    's3.port.grpc',
    'webdav.port',
    'admin.port',
    'admin.port.grpc',
    'debug.port',
    's3.debug.port',
  ];
  const ports: Record<string, number> = {};
  for (const n of names) ports[n] = await freePort();
  const bucket = 'conciliaflow-test';
  const credentials = {
    accessKeyId: `cf${crypto.randomBytes(6).toString('hex')}`,
    secretAccessKey: crypto.randomBytes(24).toString('hex'),
  };
  const child: ChildProcess = spawn(
    bin,
    [
      'mini',
      `-dir=${dir}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      ...names.map((n) => `-${n}=${ports[n]}`),
      '-admin.port.legacy=0',
      '-s3.port.iceberg=0',
      '-s3.port.lance=0',
      `-bucket=${bucket}`,
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${ports['s3.port']}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  const deadline = Date.now() + 90_000;
  // Ready when the bucket it creates at start lists.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`weed mini exited (${child.exitCode}):\n${log}`);
    try {
      await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`weed mini did not serve S3 at ${endpoint} within 90 s:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return {
    endpoint,
    bucket,
    credentials,
    store: (prefix) => s3Store({ bucket, prefix, endpoint, credentials }, path.join(dir, 'spool')),
    async keys(prefix) {
      const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (out.Contents ?? []).map((o) => o.Key!);
    },
    async stop() {
      client.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
