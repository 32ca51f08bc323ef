import { attachmentsBench } from './attachments.bench.js';
import { backlogBench } from './backlog.bench.js';
import { conversationPaintBench } from './conversation-paint.bench.js';
import { duressBench } from './duress.bench.js';
import { groupsBench } from './groups.bench.js';
import { memoryWipeBench } from './memory-wipe.bench.js';
import { openRichConversationBench } from './open-rich-conversation.bench.js';
import { pinBench } from './pin.bench.js';
import { scaleBench } from './scale.bench.js';
import { sendBench } from './send.bench.js';
import { transportBench } from './transport.bench.js';
import type { BenchModule } from './types.js';
import { vaultBench } from './vault.bench.js';

/** Every benchmark, in the order `npm run bench` runs them. Each lives in bench/<name>.bench.ts. */
export const BENCHMARKS: readonly BenchModule[] = [
  vaultBench,
  backlogBench,
  sendBench,
  scaleBench,
  pinBench,
  conversationPaintBench,
  attachmentsBench,
  transportBench,
  memoryWipeBench,
  duressBench,
  openRichConversationBench,
  groupsBench,
];
