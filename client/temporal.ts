/**
 * How every process reaches Temporal: the address, and for a remote cluster or Temporal Cloud the
 * TLS settings (mTLS client certificate, private CA, server name) and API key from the
 * configuration. The same options serve the client (`Connection`) and the worker (`NativeConnection`).
 */
import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../config';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
}

export function temporalConnectionOptions(
  config: Pick<Config, 'temporalTls' | 'temporalApiKey'>,
  address: string,
): TemporalConnectionOptions {
  const t = config.temporalTls;
  const tls: TLSConfig | undefined = t
    ? {
        ...(t.serverName ? { serverNameOverride: t.serverName } : {}),
        ...(t.caPath ? { serverRootCACertificate: fs.readFileSync(t.caPath) } : {}),
        ...(t.certPath && t.keyPath
          ? { clientCertPair: { crt: fs.readFileSync(t.certPath), key: fs.readFileSync(t.keyPath) } }
          : {}),
      }
    : undefined;
  return { address, ...(tls ? { tls } : {}), ...(config.temporalApiKey ? { apiKey: config.temporalApiKey } : {}) };
}
