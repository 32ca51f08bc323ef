/**
 * `npm run bench [name...]`: runs each benchmark module in turn (all by default), prints its ratio and
 * writes bench/results/<name>.json. Benchmarks are measured in one run against a baseline measured in
 * the same run, so the ratios compare across machines; absolute times are kept in `details`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from './registry.js';
import type { BenchReport } from './types.js';

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const selected = wanted.length ? BENCHMARKS.filter((b) => wanted.includes(b.name)) : BENCHMARKS;
  if (wanted.length && selected.length !== wanted.length) {
    const known = BENCHMARKS.map((b) => b.name).join(', ');
    throw new Error(`unknown benchmark in ${wanted.join(', ')}; known: ${known}`);
  }
  mkdirSync(resultsDir, { recursive: true });
  for (const bench of selected) {
    process.stdout.write(`bench ${bench.name}: running...\n`);
    const result = await bench.run();
    const report: BenchReport = {
      name: bench.name,
      measuredAt: new Date().toISOString(),
      node: process.version,
      ...result,
    };
    writeFileSync(join(resultsDir, `${bench.name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    const target = report.target ? ` (target ${report.target})` : '';
    process.stdout.write(
      `bench ${bench.name}: ratio ${report.ratio.toFixed(3)} — ${report.ratioMeaning}${target}\n`,
    );
  }
}

await main();
