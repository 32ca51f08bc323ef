/**
 * The one logger for src/ and main/. It takes an event name and a flat record of *non-secret* fields.
 * There is deliberately no way to log a free-form string: message bodies, phone numbers, keys, PINs and
 * passphrases must never reach a log. Field values are numbers, booleans, or short identifiers; strings
 * that look like phone numbers are redacted as a last line of defence.
 */
import { CarapaceError } from './errors.js';

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

/**
 * Top-level folders of the repository. A frame's path is cut to start at the last of them (the checkout
 * itself may sit under a folder with such a name), or at the last node_modules for a dependency.
 */
const PROJECT_DIR =
  /\/(?:src|main|renderer|e2e|scripts|bench|dist)(?=\/)(?!.*\/(?:src|main|renderer|e2e|scripts|bench|dist)\/)/;
const DEPENDENCY_DIR = /\/node_modules(?=\/)(?!.*\/node_modules\/)/;
const FRAME_LOCATION = /\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?$/;

/**
 * Where an unexpected error was thrown, as `path:line:col` with the path relative to the project (or just
 * the file name outside it): enough to diagnose, no message text, no home directory. The header line(s)
 * of the stack (name + message, which may span lines and quote input) are skipped exactly.
 */
function firstStackFrame(error: Error): string | undefined {
  const stack = error.stack;
  const header = String(error);
  if (stack === undefined || !stack.startsWith(header)) return undefined;
  for (const line of stack.slice(header.length).split('\n')) {
    const match = /^\s+at /.test(line) ? FRAME_LOCATION.exec(line.trim()) : null;
    if (!match) continue;
    const [, rawPath = '', row, col] = match;
    if (rawPath.startsWith('node:')) return `${rawPath}:${row}:${col}`;
    const path = rawPath.replace(/^file:\/\//, '').replace(/\\/g, '/');
    const cut = DEPENDENCY_DIR.exec(path) ?? PROJECT_DIR.exec(path);
    return `${cut ? path.slice(cut.index + 1) : (path.split('/').pop() ?? '')}:${row}:${col}`;
  }
  return undefined;
}

/**
 * An error's class and code only; its message may quote input. An unexpected (non-Carapace) error also
 * gets the sanitised location it was thrown from.
 */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const fields = { errorName: error.name, errorCode: typeof code === 'string' ? code : undefined };
    return error instanceof CarapaceError ? fields : { ...fields, at: firstStackFrame(error) };
  }
  return { errorName: typeof error };
}

export const log = {
  debug: (event: string, fields?: LogFields) => emit('debug', event, fields),
  info: (event: string, fields?: LogFields) => emit('info', event, fields),
  warn: (event: string, fields?: LogFields) => emit('warn', event, fields),
  error: (event: string, fields?: LogFields) => emit('error', event, fields),
};
