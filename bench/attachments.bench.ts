/**
 * Attachment benchmark (issue 19.5): a 20 MiB file through the streaming pipeline against the demo network
 * in its own process — staged into the vault in 1 MiB chunks as the UI hands it over (the staging area
 * the API uses, one chunk per event-loop turn as each arrives in its own call), prepared, encrypted
 * segment by segment into the TUS body (gRPC upload form, HTTP/2 over TLS), then downloaded, verified and
 * decrypted as it arrives into an uncommitted vault file that is committed after the MAC check — against
 * Signal's attachment crypto alone in the same run (encrypt + decrypt of the same 20 MiB in memory:
 * AES-256-CBC, HMAC-SHA256, SHA-256, padding). ratio = pipeline MiB/s ÷ Signal-crypto MiB/s (target ≥ 0.5).
 *
 * Memory: the same pipeline for 20 MiB and 100 MiB, sampling this process's RSS, V8 heap and Buffer memory
 * (arrayBuffers) every 5 ms; the peaks above the idle baseline should be flat, not proportional to size.
 */
import { createHash, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants as perfConstants, performance } from 'node:perf_hooks';
import { releaseBuffer } from '../src/bytes/release.js';
import { setLogSink } from '../src/log.js';
import { decryptAttachment, encryptAttachment } from '../src/messaging/attachments/crypto.js';
import { STAGING_LIMITS } from '../src/messaging/attachments/limits.js';
import { AttachmentStaging } from '../src/messaging/attachments/staging.js';
import {
  createAttachmentTransport,
  downloadAttachment,
  prepareOutgoingAttachment,
  uploadAttachment,
  type AttachmentTransport,
} from '../src/messaging/attachments/service.js';
import { registerTestAccount } from '../src/messaging/test-support/account.js';
import { parseClientConfig } from '../src/net/config.js';
import { directSocketOpener } from '../src/net/direct-opener.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../src/test-support/vault.js';
import type { EncryptedFileStore } from '../src/vault/file-store.js';
import { Vault } from '../src/vault/index.js';
import { saveRun, type SaveRun } from './attachment-save.js';
import { peakGrowth, type Peaks } from './memory-peaks.js';
import { networkFloor, type FloorRun } from './network-floor.js';
import { ServerProcess } from './server-process.js';
import type { BenchModule } from './types.js';

const MIB = 1024 * 1024;
const SIZE_MIB = 20;
const BIG_MIB = 100;
const CHUNK = STAGING_LIMITS.chunkBytes;
const REPS = Number(process.env.CARAPACE_BENCH_ATTACHMENT_REPS ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const mibps = (mib: number, ms: number): number => Number((mib / (ms / 1000)).toFixed(1));

/** The file's content, chunk by chunk (a random block stamped with the chunk index), never whole. */
function* fileChunks(block: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0, index = 0; offset < size; offset += CHUNK, index += 1) {
    const chunk = Buffer.from(block.subarray(0, Math.min(CHUNK, size - offset)));
    chunk.writeUInt32BE(index, 0);
    yield chunk;
  }
}

/** SHA-256 of the chunks, each freed once hashed (so a check leaves no garbage for the next run). */
function sha256(chunks: Iterable<Uint8Array>): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) {
    hash.update(chunk);
    releaseBuffer(chunk);
  }
  return hash.digest('hex');
}

function rawAesMs(data: Buffer): number {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const start = performance.now();
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(data), cipher.final()]);
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  const decrypted = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  const elapsed = performance.now() - start;
  if (decrypted.length !== data.length) throw new Error('raw AES round trip failed');
  releaseBuffer(encrypted);
  releaseBuffer(decrypted);
  return elapsed;
}

function signalCrypto(data: Buffer): { ms: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const encrypted = encryptAttachment(data);
  const plain = decryptAttachment(encrypted.blob, encrypted);
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  if (!plain.equals(data)) throw new Error('attachment crypto round trip failed');
  releaseBuffer(encrypted.blob);
  releaseBuffer(plain);
  return { ms: elapsed, cpuMs: (used.user + used.system) / 1000 };
}

/** Full (mark-compact) garbage collections of this process while `work` runs, and their pauses. */
async function withMajorGcs<T>(
  work: () => Promise<T>,
): Promise<{ value: T; count: number; pauseMs: number }> {
  let count = 0;
  let pauseMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind !== perfConstants.NODE_PERFORMANCE_GC_MAJOR) continue;
      count += 1;
      pauseMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    const value = await work();
    await new Promise((resolve) => setImmediate(resolve)); // the last entries are delivered async
    return { value, count, pauseMs };
  } finally {
    observer.disconnect();
  }
}

interface Run {
  /** CPU time of this process (the client; the server runs in its own). */
  readonly cpuMs: number;
  /** CPU time of the demo server process over the same run (it shares this machine's cores). */
  readonly serverCpuMs: number;
  /** Full garbage collections of this process during the run, and their main-thread pauses. */
  readonly majorGcs: number;
  readonly majorGcPauseMs: number;
  readonly stageMs: number;
  readonly uploadMs: number;
  readonly downloadMs: number;
  readonly totalMs: number;
  /** Event-loop time of deleting the two files (key rows gone; the files queued for shredding). */
  readonly deleteMs: number;
  /** Wall time until both files were overwritten and unlinked in the background. */
  readonly shredMs: number;
}

/**
 * Stage → prepare → upload → download → check; both vault files deleted afterwards, and their background
 * shredding awaited (outside the timings) so that it does not run into the next measurement.
 */
async function pipeline(
  vault: Vault,
  transport: AttachmentTransport,
  server: ServerProcess,
  block: Buffer,
  size: number,
): Promise<Run> {
  const serverCpu = await server.cpuMs();
  const measured = await withMajorGcs(() => transfer(vault.files, transport, block, size));
  const shredStart = performance.now();
  await vault.deletedFilesShredded();
  return {
    ...measured.value,
    shredMs: performance.now() - shredStart,
    serverCpuMs: (await server.cpuMs()) - serverCpu,
    majorGcs: measured.count,
    majorGcPauseMs: measured.pauseMs,
  };
}

async function transfer(
  files: EncryptedFileStore,
  transport: AttachmentTransport,
  block: Buffer,
  size: number,
): Promise<Omit<Run, 'serverCpuMs' | 'majorGcs' | 'majorGcPauseMs' | 'shredMs'>> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  // As the UI stages a file: one attachments.stageChunk call (its own event-loop turn) per chunk.
  const staging = new AttachmentStaging(files);
  const stageId = staging.begin(size);
  let offset = 0;
  for (const chunk of fileChunks(block, size)) {
    await new Promise((resolve) => setImmediate(resolve));
    offset = staging.append(stageId, offset, chunk);
    releaseBuffer(chunk); // as the handler frees each chunk it was handed
  }
  const staged = staging.take(stageId);
  const t1 = performance.now();
  const prepared = await prepareOutgoingAttachment({ fileId: staged }, files);
  const pointer = await uploadAttachment(prepared, transport);
  const t2 = performance.now();
  const stored = await downloadAttachment(pointer, transport, files);
  const t3 = performance.now();
  const used = process.cpuUsage(cpu);
  if (stored.size !== size) throw new Error('download size mismatch');
  const got = sha256(
    (function* () {
      for (const { plain } of files.chunks(stored.fileId)) yield plain;
    })(),
  );
  if (got !== sha256(fileChunks(block, size))) throw new Error('downloaded file differs');
  const deleteStart = performance.now();
  files.delete(staged);
  files.delete(stored.fileId);
  const deleteMs = performance.now() - deleteStart;
  return {
    deleteMs,
    cpuMs: (used.user + used.system) / 1000,
    stageMs: t1 - t0,
    uploadMs: t2 - t1,
    downloadMs: t3 - t2,
    totalMs: t3 - t0,
  };
}

export const attachmentsBench: BenchModule = {
  name: 'attachments',
  async run() {
    setLogSink(() => undefined);
    const server = new ServerProcess();
    const profileDir = mkdtempSync(join(tmpdir(), 'carapace-bench-att-'));
    const vault = new Vault(profileDir, { kdf: TEST_KDF });
    try {
      const config = parseClientConfig((await server.next('ready')).config);
      await vault.create(Buffer.from(TEST_PASSPHRASE));
      const account = await registerTestAccount(vault.db, config);
      const transport = createAttachmentTransport({
        config,
        openSocket: directSocketOpener,
        credentials: account,
      });
      const block = randomBytes(CHUNK);
      const runs: Run[] = [];
      const raw: number[] = [];
      const crypto: { ms: number; cpuMs: number }[] = [];
      const floor: FloorRun[] = [];
      let memory20: Peaks;
      let memory100: Peaks;
      let big: Run | undefined;
      let save20: SaveRun;
      let save100: SaveRun;
      try {
        // Warm-up: sessions, JIT (random bytes are not an image: no sharp).
        await pipeline(vault, transport, server, block, MIB + 17);
        const data = Buffer.concat([...fileChunks(block, SIZE_MIB * MIB)]);
        rawAesMs(data);
        signalCrypto(data);
        const blob = encryptAttachment(data).blob; // the bytes a 20 MiB attachment puts on the wire
        await networkFloor(transport, server, blob);
        for (let rep = 0; rep < REPS; rep += 1) {
          raw.push(rawAesMs(data));
          crypto.push(signalCrypto(data));
          floor.push(await networkFloor(transport, server, blob));
          runs.push(await pipeline(vault, transport, server, block, SIZE_MIB * MIB));
        }
        releaseBuffer(blob);
        data.fill(0);
        memory20 = await peakGrowth(() => pipeline(vault, transport, server, block, SIZE_MIB * MIB));
        memory100 = await peakGrowth(async () => {
          big = await pipeline(vault, transport, server, block, BIG_MIB * MIB);
        });
        save20 = await saveRun(vault, block, SIZE_MIB * MIB, profileDir);
        save100 = await saveRun(vault, block, BIG_MIB * MIB, profileDir);
      } finally {
        transport.close();
      }
      const total = median(runs.map((r) => r.totalMs));
      const signal = median(crypto.map((c) => c.ms));
      const signalCpu = median(crypto.map((c) => c.cpuMs));
      const pipelineCpu = median(runs.map((r) => r.cpuMs));
      const serverCpu = median(runs.map((r) => r.serverCpuMs));
      const floorMs = median(floor.map((f) => f.ms));
      // Both processes share this machine's cores: the pipeline's wall time cannot go below their
      // CPU time spread over all cores.
      const cores = availableParallelism();
      const cpuBoundMs = (pipelineCpu + serverCpu) / cores;
      return {
        ratio: SIZE_MIB / (total / 1000) / (SIZE_MIB / (signal / 1000)),
        ratioMeaning:
          'MiB/s of a 20 MiB attachment through the streaming pipeline (stage into the vault, encrypt into TUS, download, verify+decrypt into the vault) ÷ MiB/s of Signal’s attachment crypto alone (encrypt+decrypt in memory), same run (higher is better)',
        target: '≥ 0.5; peak memory for 100 MiB flat (about the same as for 20 MiB)',
        details: {
          sizeMiB: SIZE_MIB,
          reps: REPS,
          pipelineMedianMs: Math.round(total),
          pipelineMiBps: mibps(SIZE_MIB, total),
          stageMedianMs: Math.round(median(runs.map((r) => r.stageMs))),
          uploadMedianMs: Math.round(median(runs.map((r) => r.uploadMs))),
          downloadMedianMs: Math.round(median(runs.map((r) => r.downloadMs))),
          pipelineCpuMedianMs: Math.round(pipelineCpu),
          serverCpuMedianMs: Math.round(serverCpu),
          networkFloorMedianMs: Math.round(floorMs),
          networkFloorCpuMedianMs: Math.round(median(floor.map((f) => f.cpuMs))),
          networkFloorServerCpuMedianMs: Math.round(median(floor.map((f) => f.serverCpuMs))),
          ratioIfCryptoAndVaultWereFree: Number((signal / floorMs).toFixed(3)),
          cores,
          cpuBoundMs: Math.round(cpuBoundMs),
          ratioAtCpuBound: Number((signal / cpuBoundMs).toFixed(3)),
          majorGcsPerRunMedian: median(runs.map((r) => r.majorGcs)),
          majorGcPauseMedianMs: Number(median(runs.map((r) => r.majorGcPauseMs)).toFixed(1)),
          signalCryptoCpuMedianMs: Math.round(signalCpu),
          cpuRatio: Number((signalCpu / pipelineCpu).toFixed(3)),
          cpuRatioMeaning:
            'Signal-crypto CPU ÷ pipeline CPU of this process (less sensitive to a loaded machine)',
          signalCryptoMedianMs: Number(signal.toFixed(1)),
          signalCryptoMiBps: mibps(SIZE_MIB, signal),
          rawAesMedianMs: Number(median(raw).toFixed(1)),
          rawAesMiBps: mibps(SIZE_MIB, median(raw)),
          deleteBothFiles: {
            meaning:
              'event-loop time of deleting the staged and the downloaded file (key rows removed, files queued) and the wall time of their overwrite + fsync + unlink on the thread pool; the event-loop part should not grow with the file size',
            eventLoopMs20MiB: Number(median(runs.map((r) => r.deleteMs)).toFixed(2)),
            eventLoopMs100MiB: Number((big?.deleteMs ?? Number.NaN).toFixed(2)),
            shredInBackgroundMs20MiB: Math.round(median(runs.map((r) => r.shredMs))),
            shredInBackgroundMs100MiB: Math.round(big?.shredMs ?? Number.NaN),
          },
          saveToDisk: {
            meaning:
              'a downloaded file saved where the user chose (attachments.saveToDisk): decrypted from the vault and written a piece at a time into a temp file beside the destination, fsynced, renamed; its peak memory should not grow with the file',
            ms20MiB: Math.round(save20.ms),
            ms100MiB: Math.round(save100.ms),
            MiBps100MiB: mibps(BIG_MIB, save100.ms),
            peakGrowth20MiB: save20.peak,
            peakGrowth100MiB: save100.peak,
          },
          peakGrowth20MiB: memory20,
          peakGrowth100MiB: memory100,
          // Growth below 8 MiB is GC timing, not file size: both are floored there before dividing.
          peakRssRatio100to20: Number(
            (Math.max(8, memory100.rssMiB) / Math.max(8, memory20.rssMiB)).toFixed(2),
          ),
          network:
            'demo server in its own process over loopback TLS (HTTP/2), direct route; the server process counts Buffer memory into V8’s global GC limit (bench/server-process.ts), the client keeps V8’s defaults',
          whereTimeGoes:
            'networkFloor: the same bytes up and down through the same transport and server with no crypto and no vault — the loopback TLS/HTTP/2 connection and the demo server (mock-server with a tus FileStore, in JS) alone; ratioIfCryptoAndVaultWereFree is the ratio a pipeline would reach if its crypto cost nothing and did not overlap. cpuBound: this process and the server process share the machine, so the pipeline cannot take less wall time than their CPU time spread over all cores; ratioAtCpuBound is the ratio at that bound. In production the CDN is remote and its CPU is not ours. majorGcs: full garbage collections of this process during one run; each transient 256 KiB buffer of the pipeline is freed as soon as it is used, so the external-memory growth that starts them comes mostly from the TLS/HTTP/2 layer.',
        },
      };
    } finally {
      if (vault.state === 'unlocked') vault.lock('shutdown');
      await server.close();
      rmSync(profileDir, { recursive: true, force: true });
    }
  },
};
