/**
 * The one logger for src/ and main/. It takes an event name and a flat record of *non-secret* fields.
 * There is deliberately no way to log a free-form string: message bodies, phone numbers, keys, PINs and
 * passphrases must never reach a log. Field values are numbers, booleans, or short identifiers; strings
 * that look like phone numbers are redacted as a last line of defence.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;
export type LogSink = (level: LogLevel, event: string, fields: LogFields) => void;

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const PHONE_LIKE = /\+?\d[\d\s().-]{6,}\d/g;
const MAX_FIELD_LENGTH = 120;

function redact(value: string | number | boolean | undefined): string | number | boolean | undefined {
  if (typeof value !== 'string') return value;
  return value.replace(PHONE_LIKE, '[redacted]').slice(0, MAX_FIELD_LENGTH);
}

const stderrSink: LogSink = (level, event, fields) => {
  const line = JSON.stringify({ t: new Date().toISOString(), level, event, ...fields });
  process.stderr.write(`${line}\n`);
};

let sink: LogSink = stderrSink;
let threshold: LogLevel = (process.env.CARAPACE_LOG_LEVEL as LogLevel | undefined) ?? 'warn';

/** Tests capture log output to prove no secret is ever logged. */
export function setLogSink(next: LogSink | undefined, level?: LogLevel): void {
  sink = next ?? stderrSink;
  if (level) threshold = level;
}

function emit(level: LogLevel, event: string, fields: LogFields = {}): void {
  if (LEVEL_ORDER[level] < LEVEL_ORDER[threshold]) return;
  const safe: Record<string, string | number | boolean | undefined> = {};
  for (const [key, value] of Object.entries(fields)) safe[key] = redact(value);
  sink(level, event, safe);
}

/** An error's class and code only; its message may quote input. */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { errorName: error.name, errorCode: typeof code === 'string' ? code : undefined };
  }
  return { errorName: typeof error };
}

export const log = {
  debug: (event: string, fields?: LogFields) => emit('debug', event, fields),
  info: (event: string, fields?: LogFields) => emit('info', event, fields),
  warn: (event: string, fields?: LogFields) => emit('warn', event, fields),
  error: (event: string, fields?: LogFields) => emit('error', event, fields),
};
