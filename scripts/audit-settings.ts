/**
 * `npm run audit-settings -- --profile DIR [--apply] [--format json]`
 * `npm run audit-settings -- --json FILE [--format json]`
 *
 * Prints the hardening report (src/settings/audit.ts) for a Carapace profile or a settings JSON file.
 * The profile's vault is unlocked with the passphrase from CARAPACE_PASSPHRASE (for scripts), else from
 * a no-echo prompt on a terminal, else from stdin; a vault in no-passphrase mode needs none. `--apply`
 * writes the recommended settings (only those that need no user input) back into the vault.
 * A settings file may be a bare settings object or `{ "settings": {...}, "account": {...facts} }`.
 * A profile another process has open (the app, the harness) is refused (PROFILE_IN_USE) before the
 * passphrase is asked for: changes made here would never reach the running app.
 * Exit codes: 0 report printed, 1 bad input, vault error or profile in use, 2 with --fail-on-advice when
 * advice remains.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AccountKv } from '../src/account/account-kv.js';
import { readAccountSecurityFacts } from '../src/account/pin-service.js';
import { sayError } from '../src/api/contract.js';
import { isCarapaceError } from '../src/errors.js';
import {
  applyRecommended,
  auditSettings,
  auditSummary,
  type AccountFacts,
  type AuditItem,
} from '../src/settings/audit.js';
import { settingsSchema, type Settings } from '../src/settings/schema.js';
import { describeZodError, SettingsStore } from '../src/settings/store.js';
import { ProfileLock, Vault } from '../src/vault/index.js';
import { PassphraseCancelled, readPassphrase } from './read-passphrase.js';

const USAGE = `usage: npm run audit-settings -- (--profile DIR [--apply] | --json FILE) [--format text|json] [--fail-on-advice]`;

const factsSchema = z
  .object({
    pinSet: z.boolean().default(false),
    pinStrengthBits: z.number().min(0).optional(),
    registrationLock: z.boolean().default(false),
    noPassphraseMode: z.boolean().default(false),
  })
  .strict();

class UsageError extends Error {}

function fromJsonFile(path: string): { settings: Settings; facts: AccountFacts; factsKnown: boolean } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${path} as JSON: ${(error as Error).message}`);
  }
  const wrapped = z
    .object({ settings: z.unknown(), account: z.unknown().optional() })
    .strict()
    .safeParse(raw);
  const settingsInput = wrapped.success ? wrapped.data.settings : raw;
  const settings = settingsSchema.safeParse(settingsInput);
  if (!settings.success) throw new UsageError(describeZodError(settings.error));
  const factsInput = wrapped.success ? wrapped.data.account : undefined;
  const facts = factsSchema.safeParse(factsInput ?? {});
  if (!facts.success) throw new UsageError(`account facts: ${describeZodError(facts.error)}`);
  return { settings: settings.data, facts: facts.data, factsKnown: factsInput !== undefined };
}

const MARK: Readonly<Record<AuditItem['status'], string>> = {
  ok: '[ok]    ',
  advice: '[advice]',
  unavailable: '[n/a]   ',
};

function render(items: readonly AuditItem[], note: string | undefined): string {
  const lines: string[] = ['Carapace hardening report', ''];
  for (const entry of items) {
    const mark = MARK[entry.status];
    lines.push(`${mark} ${entry.title}${entry.status === 'unavailable' ? ' — not available here' : ''}`);
    lines.push(`         ${entry.advice}`);
    if (entry.status === 'advice') {
      lines.push(
        entry.recommendedPatch
          ? `         "apply recommended" sets: ${JSON.stringify(entry.recommendedPatch)}`
          : '         needs you: not changed by "apply recommended"',
      );
    }
  }
  const summary = auditSummary(items);
  lines.push(
    '',
    `${summary.ok} of ${summary.total} ok, ${summary.advice} with advice.` +
      (summary.unavailable > 0 ? ` ${summary.unavailable} not available here (not counted).` : ''),
  );
  if (note) lines.push(note);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string' },
      json: { type: 'string' },
      apply: { type: 'boolean', default: false },
      format: { type: 'string', default: 'text' },
      'fail-on-advice': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!!values.profile === !!values.json) throw new UsageError(USAGE);
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(USAGE);
  if (values.apply && !values.profile) throw new UsageError('--apply needs --profile');

  let settings: Settings;
  let facts: AccountFacts;
  let note: string | undefined;
  let applied = false;
  if (values.json) {
    const loaded = fromJsonFile(values.json);
    settings = loaded.settings;
    facts = loaded.facts;
    if (!loaded.factsKnown)
      note =
        'Account facts (PIN, registration lock, passphrase) are not in a settings file; shown as not set.';
  } else {
    const vault = new Vault(values.profile!);
    if (vault.state === 'uninitialized') throw new UsageError(`no Carapace vault in ${values.profile}`);
    // Held until this process exits (the OS lets go of it then).
    ProfileLock.acquire(values.profile!);
    const noPassphrase = vault.insecureNoPassphrase;
    const passphrase = noPassphrase ? undefined : await readPassphrase();
    try {
      await vault.unlock(passphrase);
    } finally {
      passphrase?.fill(0);
    }
    try {
      const store = new SettingsStore(vault.db);
      settings = store.get();
      if (values.apply) {
        settings = store.replace(applyRecommended(settings));
        applied = true;
      }
      facts = { ...readAccountSecurityFacts(new AccountKv(vault.db)), noPassphraseMode: noPassphrase };
    } finally {
      vault.lock('shutdown');
    }
  }

  const items = auditSettings(settings, facts);
  if (values.format === 'json') {
    process.stdout.write(`${JSON.stringify({ items, summary: auditSummary(items), applied }, null, 2)}\n`);
  } else {
    process.stdout.write(render(items, applied ? 'Recommended settings applied.' : note));
  }
  return values['fail-on-advice'] && items.some((i) => i.status === 'advice') ? 2 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message =
      error instanceof UsageError || error instanceof PassphraseCancelled
        ? error.message
        : isCarapaceError(error)
          ? Object.values(sayError(error.code, error.message)).filter(Boolean).join(' ')
          : `unexpected error: ${error instanceof Error ? error.name : typeof error}`;
    process.stderr.write(`audit-settings: ${message}\n`);
    process.exitCode = 1;
  },
);
