/**
 * Duress unlock vs normal unlock (issue 18): the wall time of `Vault.unlock` with the real passphrase (open
 * the vault) and with the duress passphrase (erase it, create and open a fresh one), on copies of one
 * profile (a few thousand rows, some files) keyed with parameters calibrated to this machine (the app's
 * default: ≈ 1 s). Runs alternate normal/duress so load drifts hit both alike.
 *
 * ratio = |median of the paired differences (duress − normal, the two runs of a pair back to back)| /
 * median(normal): what the wall time tells an observer about which passphrase was typed. Paired, because
 * on a shared machine the load moves single runs by more than the effect (the difference of the two
 * medians is in details too). Target ≤ 0.05. Also reported: the calibrated parameters and unlock time.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setLogSink } from '../src/log.js';
import { Vault } from '../src/vault/index.js';
import { calibrateKdf } from '../src/vault/calibrate.js';
import type { BenchModule } from './types.js';

const PAIRS = 15;
const ROWS = 5000;
const FILES = 40;
const REAL = 'the real passphrase of the duress bench';
const DURESS = 'the duress passphrase of the duress bench';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

export const duressBench: BenchModule = {
  name: 'duress',
  async run() {
    setLogSink(() => {});
    const root = mkdtempSync(join(tmpdir(), 'carapace-bench-duress-'));
    try {
      const kdf = await calibrateKdf();
      const template = join(root, 'template');
      const setup = new Vault(template, { kdf, calibrate: false });
      await setup.create(Buffer.from(REAL));
      setup.db.exec('CREATE TABLE bench_notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      const insert = setup.db.prepare('INSERT INTO bench_notes (body) VALUES (?)');
      setup.db.transaction(() => {
        for (let i = 0; i < ROWS; i++) insert.run(randomBytes(200).toString('base64'));
      })();
      for (let i = 0; i < FILES; i++) setup.files.write(randomBytes(32 * 1024));
      await setup.setDuressPassphrase(Buffer.from(REAL), Buffer.from(DURESS));
      setup.lock('shutdown');

      const times = { normal: [] as number[], duress: [] as number[] };
      for (let pair = 0; pair < PAIRS; pair++) {
        const order = pair % 2 ? (['duress', 'normal'] as const) : (['normal', 'duress'] as const);
        for (const which of order) {
          const dir = join(root, `${which}-${pair}`);
          cpSync(template, dir, { recursive: true });
          const vault = new Vault(dir, { kdf, calibrate: false });
          const passphrase = Buffer.from(which === 'normal' ? REAL : DURESS);
          const started = performance.now();
          await vault.unlock(passphrase);
          times[which].push(performance.now() - started);
          vault.lock('shutdown');
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const normalMs = median(times.normal);
      const duressMs = median(times.duress);
      const pairedMs = median(times.duress.map((d, i) => d - (times.normal[i] ?? d)));
      const ratio = Math.abs(pairedMs) / normalMs;
      process.stdout.write(
        `  duress: calibrated argon2id ${kdf.memoryKiB / 1024} MiB, t=${kdf.timeCost}, p=${kdf.parallelism}; ` +
          `unlock median normal ${normalMs.toFixed(0)} ms, duress ${duressMs.toFixed(0)} ms ` +
          `(paired difference ${pairedMs.toFixed(0)} ms = ${(ratio * 100).toFixed(1)} % of the normal median)\n`,
      );
      return {
        ratio: Math.round(ratio * 1000) / 1000,
        ratioMeaning:
          '|median of paired (duress − normal) unlock times| / median normal unlock, on copies of one ' +
          'profile (lower is better: the wall time says less about which passphrase was typed)',
        target: '≤ 0.05',
        details: {
          calibratedKdf: kdf,
          calibratedUnlockMsMedian: round1(normalMs),
          normalUnlockMsMedian: round1(normalMs),
          duressUnlockMsMedian: round1(duressMs),
          pairedDifferenceMsMedian: round1(pairedMs),
          differenceOfMedians: Math.round((Math.abs(duressMs - normalMs) / normalMs) * 1000) / 1000,
          normalUnlockMs: times.normal.map(round1),
          duressUnlockMs: times.duress.map(round1),
          profile: `${ROWS} rows of ~270 bytes, ${FILES} files of 32 KiB, duress passphrase set`,
          pairs: PAIRS,
          loadAverage: loadavg().map(round1),
        },
      };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
