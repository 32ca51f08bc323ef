import type { BenchModule } from './types.js';

/** A benchmark by name, loaded only in the process that runs it (bench/run.ts). */
interface BenchEntry {
  readonly name: string;
  readonly load: () => Promise<BenchModule>;
}

/** Every benchmark, in the order `npm run bench` runs them. Each lives in bench/<name>.bench.ts. */
export const BENCHMARKS: readonly BenchEntry[] = [
  { name: 'vault', load: async () => (await import('./vault.bench.js')).vaultBench },
  { name: 'backlog', load: async () => (await import('./backlog.bench.js')).backlogBench },
  { name: 'send', load: async () => (await import('./send.bench.js')).sendBench },
  { name: 'scale', load: async () => (await import('./scale.bench.js')).scaleBench },
  { name: 'pin', load: async () => (await import('./pin.bench.js')).pinBench },
  {
    name: 'conversation-paint',
    load: async () => (await import('./conversation-paint.bench.js')).conversationPaintBench,
  },
  { name: 'attachments', load: async () => (await import('./attachments.bench.js')).attachmentsBench },
  { name: 'transport', load: async () => (await import('./transport.bench.js')).transportBench },
  { name: 'memory-wipe', load: async () => (await import('./memory-wipe.bench.js')).memoryWipeBench },
  { name: 'duress', load: async () => (await import('./duress.bench.js')).duressBench },
  {
    name: 'open-rich-conversation',
    load: async () => (await import('./open-rich-conversation.bench.js')).openRichConversationBench,
  },
  { name: 'groups', load: async () => (await import('./groups.bench.js')).groupsBench },
];
