import path from 'node:path';
import { mkdirSync } from 'node:fs';
import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON-lines debug log in `<data>/logs/quire.log`. Child loggers carry batchId,
 * jobId and deviceId so one batch's story can be pulled out with a filter. The audit log is
 * separate: it is the preservation record, not a debug log.
 */
export function createLogger(logDir: string, level = process.env.QUIRE_LOG_LEVEL ?? 'info'): Logger {
  mkdirSync(logDir, { recursive: true });
  const destination = pino.destination({ dest: path.join(logDir, 'quire.log'), mkdir: true, sync: false });
  return pino({ level, base: { app: 'quire' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
