/**
 * Test/bench-only: counting secret markers in a measured process, from OUTSIDE it (the measuring process
 * holds the needles; the measured one holds only what the app kept).
 *
 * - `scanProcessMemory` reads every readable mapping of /proc/<pid>/mem: the V8 heap (live AND freed but not
 *   yet overwritten objects), Buffer backing stores, and the native heaps (SQLCipher, libsignal, OpenSSL,
 *   argon2). This is what a memory dump or a swapped page would show; the heap snapshot cannot see
 *   Buffer contents.
 * - `countInHeapSnapshot` reads a V8 heap snapshot: the strings still REACHABLE after a full GC (what the app
 *   failed to drop), with the retaining path of each, to say why it remains.
 * A Linux parent may read its child's memory (same user, Yama ptrace scope ≤ 1).
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

export interface Needle {
  readonly name: string;
  readonly bytes: Buffer;
}

const CHUNK = 16 * 1024 * 1024;

interface Region {
  readonly start: number;
  readonly end: number;
  /** `malloc heap` (glibc's main arena), `stack`, `file` (a mapped file) or `anonymous` (V8's heap pages, large or per-thread mallocs, thread stacks). */
  readonly kind: string;
}

function regionKind(name: string): string {
  if (name === '[heap]') return 'malloc heap';
  if (name === '[stack]') return 'stack';
  return name === '' ? 'anonymous' : 'file';
}

/** Readable mappings that hold pages (Rss > 0); [vvar] and friends cannot be read through /proc/pid/mem. */
function readableRegions(pid: number): Region[] {
  const regions: Region[] = [];
  let current: (Region & { readonly readable: boolean }) | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const [, start = '0', end = '0', perms = '', name = ''] = header;
      current = {
        start: parseInt(start, 16),
        end: parseInt(end, 16),
        kind: regionKind(name),
        readable: perms.startsWith('r') && !/^\[(vvar|vsyscall|vdso)/.test(name),
      };
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && current?.readable && Number(rss[1]) > 0) regions.push(current);
  }
  return regions;
}

export interface MemoryScan {
  /** Occurrences of each needle. */
  readonly counts: Record<string, number>;
  /** Where the occurrences are, by kind of mapping (needles found at least once). */
  readonly where: Record<string, Record<string, number>>;
  readonly scannedMiB: number;
}

/** Occurrences of each needle in the readable memory of process `pid` (chunks overlap, so none is missed). */
export function scanProcessMemory(pid: number, needles: readonly Needle[]): MemoryScan {
  const counts: Record<string, number> = Object.fromEntries(needles.map((n) => [n.name, 0]));
  const where: Record<string, Record<string, number>> = {};
  const overlap = Math.max(...needles.map((n) => n.bytes.length)) - 1;
  const buffer = Buffer.alloc(CHUNK + overlap);
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  let scanned = 0;
  try {
    for (const region of readableRegions(pid)) {
      for (let at = region.start; at < region.end; at += CHUNK) {
        const length = Math.min(CHUNK + overlap, region.end - at);
        let read: number;
        try {
          read = readSync(fd, buffer, 0, length, at);
        } catch {
          break; // a mapping that went away or cannot be read (guard pages)
        }
        scanned += Math.min(read, CHUNK);
        const view = buffer.subarray(0, read);
        for (const needle of needles) {
          // A match starting in the overlap belongs to the next chunk.
          const limit = at + CHUNK >= region.end ? read : CHUNK;
          for (
            let i = view.indexOf(needle.bytes);
            i !== -1 && i < limit;
            i = view.indexOf(needle.bytes, i + 1)
          ) {
            counts[needle.name] = (counts[needle.name] ?? 0) + 1;
            const kinds = (where[needle.name] ??= {});
            kinds[region.kind] = (kinds[region.kind] ?? 0) + 1;
          }
        }
      }
    }
  } finally {
    closeSync(fd);
    buffer.fill(0);
  }
  return { counts, where, scannedMiB: Math.round(scanned / 1024 / 1024) };
}

interface Snapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: string[];
      readonly node_types: [string[], ...unknown[]];
      readonly edge_fields: string[];
      readonly edge_types: [string[], ...unknown[]];
    };
  };
  readonly nodes: number[];
  readonly edges: number[];
  readonly strings: string[];
}

export interface SnapshotCount {
  /** Reachable heap objects (strings, code, …) whose content holds the marker. */
  readonly objects: number;
  /** How the first few are retained, from the object up (e.g. `(string) ← body ← Object ← Array`). */
  readonly retainers: readonly string[];
}

/**
 * Counts, per marker, the reachable objects of a V8 heap snapshot (.heapsnapshot JSON) whose name holds
 * it — for a string its value (V8 keeps the first 1024 characters), so strings of any encoding count.
 */
export function countInHeapSnapshot(
  path: string,
  markers: Readonly<Record<string, string>>,
): Record<string, SnapshotCount> {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const { meta } = snap.snapshot;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const typeAt = meta.node_fields.indexOf('type');
  const nameAt = meta.node_fields.indexOf('name');
  const edgeCountAt = meta.node_fields.indexOf('edge_count');
  const edgeTypeAt = meta.edge_fields.indexOf('type');
  const edgeNameAt = meta.edge_fields.indexOf('name_or_index');
  const toAt = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const { nodes, edges, strings } = snap;
  const nodeCount = nodes.length / nodeFields;

  // Reverse edges (who points at each node), skipping weak ones: they do not keep anything alive.
  const edgeFrom = new Int32Array(edges.length / edgeFields);
  for (let n = 0, e = 0; n < nodeCount; n++) {
    const count = nodes[n * nodeFields + edgeCountAt] ?? 0;
    for (let k = 0; k < count; k++, e++) edgeFrom[e] = n;
  }
  const weak = edgeTypes.indexOf('weak');
  // retainerStart[n]..retainerStart[n + 1]: the slice of retainerEdges that points at node n.
  const retainerStart = new Int32Array(nodeCount + 1);
  const strongTarget = (e: number): number | undefined =>
    edges[e * edgeFields + edgeTypeAt] === weak
      ? undefined
      : (edges[e * edgeFields + toAt] ?? 0) / nodeFields;
  for (let e = 0; e < edgeFrom.length; e++) {
    const to = strongTarget(e);
    if (to !== undefined) retainerStart[to + 1] = (retainerStart[to + 1] ?? 0) + 1;
  }
  for (let n = 1; n <= nodeCount; n++)
    retainerStart[n] = (retainerStart[n] ?? 0) + (retainerStart[n - 1] ?? 0);
  const retainerEdges = new Int32Array(retainerStart[nodeCount] ?? 0);
  const next = retainerStart.slice(0, nodeCount);
  for (let e = 0; e < edgeFrom.length; e++) {
    const to = strongTarget(e);
    if (to === undefined) continue;
    const at = next[to] ?? 0;
    retainerEdges[at] = e;
    next[to] = at + 1;
  }

  const describe = (node: number): string => {
    const type = nodeTypes[nodes[node * nodeFields + typeAt] ?? 0] ?? '?';
    if (type.includes('string')) return '(string)';
    const name = strings[nodes[node * nodeFields + nameAt] ?? 0] ?? '';
    return type === 'object' || type === 'closure' ? name.slice(0, 40) : `(${type})`;
  };
  const edgeName = (e: number): string => {
    const type = edgeTypes[edges[e * edgeFields + edgeTypeAt] ?? 0] ?? '';
    const raw = edges[e * edgeFields + edgeNameAt] ?? 0;
    return type === 'element' || type === 'hidden' ? `[${raw}]` : (strings[raw] ?? '').slice(0, 30);
  };
  const pathUp = (node: number): string => {
    const steps = [describe(node)];
    const seen = new Set([node]);
    let at = node;
    for (let depth = 0; depth < 8; depth++) {
      const first = retainerStart[at] ?? 0;
      const last = retainerStart[at + 1] ?? 0;
      // The most telling retainer: a named edge from a real object before GC roots and internals.
      let best: { edge: number; from: number; rank: number } | undefined;
      for (let r = first; r < last; r++) {
        const edge = retainerEdges[r] ?? 0;
        const from = edgeFrom[edge] ?? 0;
        if (seen.has(from)) continue;
        const fromType = nodeTypes[nodes[from * nodeFields + typeAt] ?? 0];
        const edgeType = edgeTypes[edges[edge * edgeFields + edgeTypeAt] ?? 0];
        const rank =
          (fromType === 'synthetic' ? 2 : 0) + (edgeType === 'hidden' || edgeType === 'internal' ? 1 : 0);
        if (!best || rank < best.rank) best = { edge, from, rank };
      }
      if (!best) break;
      steps.push(`${edgeName(best.edge)} ← ${describe(best.from)}`);
      seen.add(best.from);
      at = best.from;
    }
    return steps.join(' ← ');
  };

  const result: Record<string, SnapshotCount> = {};
  for (const [label, marker] of Object.entries(markers)) {
    const names = new Set<number>();
    strings.forEach((s, i) => {
      if (s.includes(marker)) names.add(i);
    });
    const found: number[] = [];
    for (let n = 0; n < nodeCount; n++) if (names.has(nodes[n * nodeFields + nameAt] ?? -1)) found.push(n);
    result[label] = { objects: found.length, retainers: found.slice(0, 4).map(pathUp) };
  }
  return result;
}
