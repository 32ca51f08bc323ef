/**
 * The attachment bench's network floor: the same number of bytes uploaded (TUS, from memory) and
 * downloaded (to a consumer that only counts) through the same transport and demo server, with no
 * Signal encryption and no vault — what the loopback connection and the server cost on their own. A
 * pipeline cannot be faster than this unless its crypto hides entirely behind the transfer.
 */
import { performance } from 'node:perf_hooks';
import type { AttachmentTransport } from '../src/messaging/attachments/service.js';
import { getAttachmentUploadForm } from '../src/net/grpc-attachments.js';
import type { ServerProcess } from './server-process.js';

export interface FloorRun {
  readonly ms: number;
  /** CPU of this process and of the server process over the same transfer. */
  readonly cpuMs: number;
  readonly serverCpuMs: number;
}

export async function networkFloor(
  transport: AttachmentTransport,
  server: ServerProcess,
  blob: Buffer,
): Promise<FloorRun> {
  const serverCpu = await server.cpuMs();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await getAttachmentUploadForm(transport.grpc, blob.length, { auth: transport.auth });
  if (result.kind !== 'form') throw new Error('no upload form');
  await transport.cdn.tusUpload(result.form, blob);
  let received = 0;
  await transport.cdn.download(
    { cdnNumber: result.form.cdn, cdnKey: result.form.key },
    { maxBytes: blob.length, onChunk: (chunk) => (received += chunk.length) },
  );
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  if (received !== blob.length) throw new Error('network floor: download size mismatch');
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    serverCpuMs: (await server.cpuMs()) - serverCpu,
  };
}
