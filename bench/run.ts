/**
 * `npm run bench [name...]`: runs each benchmark module (all by default) and writes
 * bench/results/<name>.json. Benchmarks are measured in one run against a baseline measured in the same
 * run, so the ratios compare across machines; absolute times are kept in `details`.
 *
 * Each benchmark runs in a process of its own, loading only its own module. Loaded together (all twelve
 * modules, Playwright among them: ≈ 100 MiB of heap instead of ≈ 18 MiB), every full garbage collection
 * of a benchmark marked everyone's heap: the attachment benchmark's baseline — Signal's crypto over 20 MiB
 * Buffers, which starts such collections — ran 1.4–1.6× slower than alone and flattered its ratio. The
 * app's process holds only the core.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from './registry.js';
import type { BenchReport } from './types.js';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
/** Set in a benchmark's own process: the name of the one benchmark it runs. */
const ONE = 'CARAPACE_BENCH_ONE';

async function runOne(name: string): Promise<void> {
  const entry = BENCHMARKS.find((b) => b.name === name);
  if (!entry) throw new Error(`unknown benchmark ${name}`);
  const bench = await entry.load();
  if (bench.name !== name) throw new Error(`bench/registry.ts names ${bench.name} as ${name}`);
  process.stdout.write(`bench ${name}: running...\n`);
  const result = await bench.run();
  const report: BenchReport = {
    name,
    measuredAt: new Date().toISOString(),
    node: process.version,
    ...result,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const target = report.target ? ` (target ${report.target})` : '';
  process.stdout.write(`bench ${name}: ratio ${report.ratio.toFixed(3)} — ${report.ratioMeaning}${target}\n`);
}

/** Runs one benchmark in a fresh process (the same Node and loader as this one); rejects if it fails. */
function runInOwnProcess(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      stdio: 'inherit',
      env: { ...process.env, [ONE]: name },
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`bench ${name} failed (${signal ?? `exit ${String(code)}`})`));
    });
  });
}

async function main(): Promise<void> {
  const one = process.env[ONE];
  if (one) return runOne(one);
  const wanted = process.argv.slice(2);
  const selected = wanted.length ? BENCHMARKS.filter((b) => wanted.includes(b.name)) : BENCHMARKS;
  if (wanted.length && selected.length !== wanted.length) {
    const known = BENCHMARKS.map((b) => b.name).join(', ');
    throw new Error(`unknown benchmark in ${wanted.join(', ')}; known: ${known}`);
  }
  for (const { name } of selected) await runInOwnProcess(name);
}

await main();
