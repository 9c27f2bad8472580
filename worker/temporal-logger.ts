import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from 'pino';

/** Routes the Temporal SDK's own logs (worker state, workflow `log`) into pino, as structured JSON. */
export function pinoTemporalLogger(logger: Logger): TemporalLogger {
  const at = (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') => (message: string, meta?: LogMetadata) =>
    logger[level]({ ...meta, src: 'temporal' }, message);
  return {
    log: (level: LogLevel, message: string, meta?: LogMetadata) =>
      at(level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error')(message, meta),
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
