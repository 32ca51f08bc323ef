/** Tests only: temp profile directories, fast KDF parameters, and whole-directory hashing/scanning. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { KdfParams } from '../kdf.js';

/** Low Argon2 cost so tests run fast. One test uses the real defaults. */
export const TEST_KDF: KdfParams = { memoryKiB: 8 * 1024, timeCost: 1, parallelism: 1 };

export function tempProfile(): { dir: string; dispose(): void } {
  const root = mkdtempSync(join(tmpdir(), 'carapace-vault-'));
  const dir = join(root, 'profile');
  return { dir, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

/** relative path → sha256 of every file under `dir`. */
export function hashTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const path of listFiles(dir)) {
    out.set(relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return out;
}

/** Every (file, needle index) where a needle's bytes occur in a file under `dir`. */
export function scanTree(dir: string, needles: readonly Buffer[]): { file: string; needle: number }[] {
  const hits: { file: string; needle: number }[] = [];
  for (const path of listFiles(dir)) {
    const bytes = readFileSync(path);
    needles.forEach((needle, index) => {
      if (bytes.includes(needle)) hits.push({ file: relative(dir, path), needle: index });
    });
  }
  return hits;
}
