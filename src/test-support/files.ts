/** Tests and benches only: throw-away directories, and what a directory holds on disk (for at-rest checks). */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export interface TestDir {
  /** An empty directory that exists. */
  readonly path: string;
  /** Deletes the directory and everything in it (safe to call twice). */
  dispose(): void;
}

export function createTestDir(prefix = 'carapace-test-'): TestDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** Every file under `dir`, recursively, sorted. */
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

/**
 * Deleted vault files are overwritten and unlinked in the background (src/vault/shredder.ts), so a check of
 * the disk after a delete, cancel or lock is retried until it holds; after `timeoutMs` its error fails.
 */
export async function onceShredded(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
