/**
 * User settings persisted in the vault DB (`settings` table, migration 0003): one row per setting, the
 * value as JSON. Every value is validated on read; a row that is unparsable or invalid (an older build, a
 * hand edit, a bug) falls back to its default with a logged warning (the key name only, never the value):
 * the app must always start. Writes are validated and rejected with a typed ValidationError.
 *
 * The one exception to "fall back to the default" is the proxy: its default is a direct connection, so a
 * damaged proxy row must fail closed instead (`proxyUnreadable`) until the user sets the proxy again.
 */
import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import { errorFields, log } from '../log.js';
import type { SqlDatabase } from '../vault/sql.js';
import {
  DEFAULT_SETTINGS,
  SETTING_KEYS,
  applySettingsPatch,
  settingsPatchSchema,
  settingsSchema,
  type SettingKey,
  type Settings,
} from './schema.js';

export type SettingsListener = (next: Readonly<Settings>, changed: readonly SettingKey[]) => void;

/** A zod error as a user-facing message: field paths and rule texts only, never the input values. */
export function describeZodError(error: z.ZodError): string {
  const parts = error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return `Invalid settings: ${parts.join('; ')}`;
}

function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as string[]).includes(key);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class SettingsStore {
  private readonly listeners = new Set<SettingsListener>();
  private cache: Settings | undefined;
  #proxyUnreadable = false;

  constructor(private readonly db: SqlDatabase) {}

  /** All settings, validated; invalid or missing rows read as their defaults. */
  get(): Readonly<Settings> {
    this.cache ??= this.load();
    return this.cache;
  }

  /**
   * A proxy row is stored but cannot be read (damaged, or saved by a build with looser rules). `get()`
   * then shows the default (no proxy) — the network layer must refuse to connect instead of going direct.
   */
  get proxyUnreadable(): boolean {
    this.get();
    return this.#proxyUnreadable;
  }

  getValue<K extends SettingKey>(key: K): Settings[K] {
    return this.get()[key];
  }

  /** Set one setting. Throws ValidationError (nothing written) when the key or value is invalid. */
  set<K extends SettingKey>(key: K, value: Settings[K]): Readonly<Settings> {
    return this.patch({ [key]: value });
  }

  /** Apply a partial update atomically. `input` is untrusted (it may come over IPC). */
  patch(input: unknown): Readonly<Settings> {
    const parsed = settingsPatchSchema.safeParse(input);
    if (!parsed.success) throw new ValidationError(describeZodError(parsed.error));
    const current = this.get();
    const next = applySettingsPatch(current, parsed.data);
    const changed = SETTING_KEYS.filter(
      // A proxy the user sets again replaces an unreadable row even when it equals the default shown.
      (key) =>
        !sameJson(current[key], next[key]) ||
        (key === 'proxy' && this.#proxyUnreadable && parsed.data.proxy !== undefined),
    );
    if (changed.length === 0) return current;
    const upsert = this.db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    const now = Date.now();
    this.db.transaction(() => {
      for (const key of changed) upsert.run(key, JSON.stringify(next[key]), now);
    })();
    this.cache = Object.freeze(next);
    if (changed.includes('proxy')) this.#proxyUnreadable = false;
    this.emit(this.cache, changed);
    return this.cache;
  }

  /** Replace every setting (e.g. "apply recommended"); validated as a whole. */
  replace(input: unknown): Readonly<Settings> {
    const parsed = settingsSchema.safeParse(input);
    if (!parsed.success) throw new ValidationError(describeZodError(parsed.error));
    return this.patch(parsed.data);
  }

  /** Back to the defaults. */
  reset(): Readonly<Settings> {
    return this.patch({ ...DEFAULT_SETTINGS });
  }

  /** Called after each change with the new settings and the changed keys; returns an unsubscribe. */
  onChange(listener: SettingsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drop the cache (e.g. on vault lock); the next read goes to the DB. */
  dispose(): void {
    this.cache = undefined;
    this.listeners.clear();
  }

  private emit(next: Readonly<Settings>, changed: readonly SettingKey[]): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(next, changed);
      } catch (error) {
        log.error('settings.listener_failed', errorFields(error));
      }
    }
  }

  private load(): Settings {
    const result: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    this.#proxyUnreadable = false;
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as {
      key: string;
      value: string;
    }[];
    for (const row of rows) {
      if (!isSettingKey(row.key)) {
        log.warn('settings.unknown_key_ignored', { key: row.key.slice(0, 40) });
        continue;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(row.value);
      } catch {
        log.warn('settings.invalid_json_defaulted', { key: row.key });
        if (row.key === 'proxy') this.#proxyUnreadable = true;
        continue;
      }
      const field = settingsSchema.shape[row.key];
      const parsed = field.safeParse(raw);
      if (!parsed.success) {
        log.warn('settings.invalid_value_defaulted', { key: row.key });
        if (row.key === 'proxy') this.#proxyUnreadable = true;
        continue;
      }
      result[row.key] = parsed.data;
    }
    // The merged object is valid by construction; parse once more as a belt to the braces.
    const whole = settingsSchema.safeParse(result);
    if (!whole.success) {
      log.warn('settings.invalid_defaulted_all', {});
      return Object.freeze({ ...DEFAULT_SETTINGS });
    }
    return Object.freeze(whole.data);
  }
}
