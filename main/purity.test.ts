import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The only files of main/ that may load electron at runtime: the thin glue. */
const ELECTRON_GLUE = new Set(['index.ts', 'ipc.ts', 'preload.ts']);
const RUNTIME_ELECTRON_IMPORT =
  /^\s*import\s+(?!type\b)[^;]*from\s+['"]electron['"]|require\(\s*['"]electron['"]\s*\)/m;

describe('main/ purity', () => {
  it('keeps every decision module free of runtime electron imports (testable in plain Node)', async () => {
    const files = (await readdir(here)).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const name of files) {
      const source = await readFile(path.join(here, name), 'utf8');
      if (ELECTRON_GLUE.has(name)) continue;
      expect(RUNTIME_ELECTRON_IMPORT.test(source), name).toBe(false);
    }
  });

  it('uses no console in main/ (the logger never logs secrets)', async () => {
    for (const name of (await readdir(here)).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      expect(/\bconsole\./.test(await readFile(path.join(here, name), 'utf8')), name).toBe(false);
    }
  });
});
