// Structured JSON logs (pino): one line per event, machine-parsable, cheap on the hot path.
import { pino, type Logger } from 'pino';

export type { Logger };

/** The level the environment asks for: TEMPORA_LOG__LEVEL (the config key log.level), or its alias TEMPORA_LOG_LEVEL. */
export function envLogLevel(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.TEMPORA_LOG__LEVEL ?? env.TEMPORA_LOG_LEVEL;
}

export function createLogger(level: string = envLogLevel() ?? 'info'): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
