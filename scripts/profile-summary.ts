/**
 * `tsx scripts/profile-summary.ts <file.cpuprofile> [function names…]`: reads a V8 CPU profile (as written by
 * `node --cpu-prof`) and prints where the time went — self time by function and by source file, and the
 * inclusive (self + callees) time of the named functions — so a profile can be read without DevTools.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, ...focus] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [function names…]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string): string =>
  url.replace(/^file:\/\/\/work\/main\//, '').replace(/^.*node_modules\//, 'nm/') || '(native)';
const label = (n: ProfileNode): string =>
  `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

function table(title: string, rows: Map<string, number>, limit: number): void {
  process.stdout.write(`\n${title}\n`);
  const sorted = [...rows.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
  for (const [name, us] of sorted) {
    process.stdout.write(
      `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${name}\n`,
    );
  }
}

const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  selfByFunction.set(label(node), (selfByFunction.get(label(node)) ?? 0) + us);
  const url = shortUrl(node.callFrame.url);
  selfByFile.set(url, (selfByFile.get(url) ?? 0) + us);
}
process.stdout.write(`total sampled ${(totalUs / 1000).toFixed(0)} ms\n`);
table('self time by function', selfByFunction, 40);
table('self time by file', selfByFile, 25);

if (focus.length) {
  // Inclusive time: each sample counts once for every distinct focused function on its stack.
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur)!;
      const name = node.callFrame.functionName;
      if (focus.includes(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      }
    }
  }
  table('inclusive time of named functions', inclusive, focus.length);
}
