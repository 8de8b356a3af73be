// Structured JSON logs (pino): one line per event, machine-parsable, cheap on the hot path.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.TEMPORA_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
