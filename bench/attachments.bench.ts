/**
 * Attachment benchmark: a 20 MiB file through the whole pipeline on the local demo network —
 * upload (Signal encryption + gRPC upload form + TUS POST over our HTTP/2/TLS) then download (GET over
 * HTTP/2/TLS + incremental digest/MAC/AES-CBC decrypt + write to the vault's AES-GCM file store) —
 * against raw AES in the same run: AES-256-CBC encrypt + decrypt of the same 20 MiB with node:crypto
 * and nothing else. ratio = pipeline MiB/s ÷ raw AES MiB/s (higher is better; the remainder is HMAC,
 * SHA-256, padding, TLS, HTTP/2 framing, the mock's TUS/file store and the vault write).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDemoNetwork } from '../src/demo/network.js';
import { setLogSink } from '../src/log.js';
import { encryptAttachment, decryptAttachment } from '../src/messaging/attachments/crypto.js';
import {
  createAttachmentTransport,
  downloadAttachment,
  prepareOutgoingAttachment,
  uploadAttachment,
} from '../src/messaging/attachments/service.js';
import { registerTestAccount } from '../src/messaging/test-support/account.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../src/test-support/vault.js';
import { directSocketOpener } from '../src/net/direct-opener.js';
import { Vault } from '../src/vault/index.js';
import type { BenchModule } from './types.js';

const SIZE = 20 * 1024 * 1024;
const MIB = SIZE / (1024 * 1024);
const REPS = Number(process.env.CARAPACE_BENCH_ATTACHMENT_REPS ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
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
  return elapsed;
}

function signalCryptoMs(data: Buffer): number {
  const start = performance.now();
  const encrypted = encryptAttachment(data);
  const plain = decryptAttachment(encrypted.blob, encrypted);
  const elapsed = performance.now() - start;
  if (!plain.equals(data)) throw new Error('attachment crypto round trip failed');
  return elapsed;
}

export const attachmentsBench: BenchModule = {
  name: 'attachments',
  async run() {
    setLogSink(() => undefined);
    const network = await startDemoNetwork();
    const profileDir = mkdtempSync(join(tmpdir(), 'carapace-bench-att-'));
    const vault = new Vault(profileDir, { kdf: TEST_KDF });
    try {
      await vault.create(Buffer.from(TEST_PASSPHRASE));
      const account = await registerTestAccount(vault.db, network.config);
      const transport = createAttachmentTransport({
        config: network.config,
        openSocket: directSocketOpener,
        credentials: account,
      });
      const data = randomBytes(SIZE);
      const upload: number[] = [];
      const download: number[] = [];
      const pipeline: number[] = [];
      const raw: number[] = [];
      const crypto: number[] = [];
      try {
        // Warm-up: sessions, JIT, sharp-free path (random bytes are not an image).
        const warm = await prepareOutgoingAttachment({ bytes: data.subarray(0, 1024 * 1024) });
        const warmPointer = await uploadAttachment(warm, transport);
        vault.files.delete((await downloadAttachment(warmPointer, transport, vault.files)).fileId);
        rawAesMs(data);

        for (let rep = 0; rep < REPS; rep += 1) {
          raw.push(rawAesMs(data));
          crypto.push(signalCryptoMs(data));
          const t0 = performance.now();
          const prepared = await prepareOutgoingAttachment({ bytes: data });
          const pointer = await uploadAttachment(prepared, transport);
          const t1 = performance.now();
          const stored = await downloadAttachment(pointer, transport, vault.files);
          const t2 = performance.now();
          if (stored.size !== SIZE) throw new Error('download size mismatch');
          vault.files.delete(stored.fileId);
          upload.push(t1 - t0);
          download.push(t2 - t1);
          pipeline.push(t2 - t0);
        }
      } finally {
        transport.close();
      }
      const pipelineMiBps = MIB / (median(pipeline) / 1000);
      const rawMiBps = MIB / (median(raw) / 1000);
      return {
        ratio: pipelineMiBps / rawMiBps,
        ratioMeaning:
          'upload+download MiB/s of a 20 MiB attachment (encrypt, gRPC form, TUS, GET, verify+decrypt, vault write) ÷ raw AES-256-CBC encrypt+decrypt MiB/s, same run (higher is better)',
        details: {
          sizeMiB: MIB,
          reps: REPS,
          pipelineMedianMs: Math.round(median(pipeline)),
          uploadMedianMs: Math.round(median(upload)),
          downloadMedianMs: Math.round(median(download)),
          pipelineMiBps: Number(pipelineMiBps.toFixed(1)),
          uploadMiBps: Number((MIB / (median(upload) / 1000)).toFixed(1)),
          downloadMiBps: Number((MIB / (median(download) / 1000)).toFixed(1)),
          rawAesMedianMs: Number(median(raw).toFixed(1)),
          rawAesMiBps: Number(rawMiBps.toFixed(1)),
          signalCryptoMedianMs: Number(median(crypto).toFixed(1)),
          signalCryptoMiBps: Number((MIB / (median(crypto) / 1000)).toFixed(1)),
          network: 'local mock server over loopback TLS (HTTP/2), direct route',
        },
      };
    } finally {
      if (vault.state === 'unlocked') vault.lock('shutdown');
      await network.close();
      rmSync(profileDir, { recursive: true, force: true });
    }
  },
};
