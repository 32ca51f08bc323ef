/**
 * Files staged through the contract in bounded chunks (attachments.stageBegin/chunk/cancel, then
 * attachments.send by stageId) and read back by range (attachments.readRange) on the REAL demo network: a multi-segment file of an odd size reaches the
 * contact, whose independent decryption (node:crypto, checked digest and MAC) gives it back byte for byte;
 * the staging rules refuse bad chunks; cancel and lock wipe the staged file; a tampered multi-segment
 * download fails its MAC and leaves no vault file, committed or temporary.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onceShredded } from '../test-support/files.js';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { STAGING_LIMITS } from '../messaging/attachments/limits.js';
import {
  contactDecrypt,
  mockAttachment,
  mockCrypto,
} from '../messaging/attachments/mock-contact.test-support.js';
import { SEGMENT_BYTES } from '../vault/file-segments.js';
import type { Message } from './contract.js';
import type { CoreService } from './service.js';
import { openContactChat } from './test-support/contact-chat.js';
import { createTestCore, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'staging network passphrase 4';
const NUMBER = '+15550004477';

describe('attachments staged in chunks through the API (demo network)', () => {
  let network: DemoNetwork;
  let cdnDir: string;
  let core: TestCore;
  let service: CoreService;
  let cat: DemoContact;
  let conversationId = '';
  let ourAci = '';
  /** What the fake native dialog (main's, in Electron) returns next. */
  let picked: string[] = [];
  const filesDir = (): string => join(core.profile.dir, 'files');
  const temps = (): string[] => readdirSync(filesDir()).filter((name) => name.endsWith('.tmp'));

  async function stage(bytes: Buffer, chunk: number): Promise<string> {
    const { stageId, chunkBytes } = await value(
      service.call('attachments.stageBegin', { size: bytes.length }),
    );
    expect(chunkBytes).toBe(STAGING_LIMITS.chunkBytes);
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      const dataBase64 = bytes.subarray(offset, offset + chunk).toString('base64');
      const { received } = await value(
        service.call('attachments.stageChunk', { stageId, offset, dataBase64 }),
      );
      expect(received).toBe(Math.min(bytes.length, offset + chunk));
    }
    return stageId;
  }

  beforeAll(async () => {
    cdnDir = mkdtempSync(join(tmpdir(), 'carapace-stage-cdn-'));
    network = await startDemoNetwork({ cdnDir });
    core = createTestCore({ networkConfig: network.config, pickFiles: () => Promise.resolve(picked) });
    service = core.service;
    ({
      ourAci,
      contact: cat,
      conversationId,
    } = await openContactChat(service, network, { passphrase: PASS, number: NUMBER, contactName: 'Cat' }));
  });

  afterAll(async () => {
    await core?.dispose();
    await network?.close();
    if (cdnDir) rmSync(cdnDir, { recursive: true, force: true });
  });

  it('a 3-segment file of odd size, staged in uneven chunks, reaches the contact byte-identical', async () => {
    // Neither the size nor the chunk is a multiple of 16 (the AES block) or of a vault segment.
    const file = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(3 * SEGMENT_BYTES + 12_345)]);
    expect(file.length % 16).not.toBe(0);
    const stageId = await stage(file, 333_333);
    expect(temps()).toHaveLength(1);
    const sent = await value(
      service.call('attachments.send', { conversationId, files: [{ stageId, fileName: 'notes.pdf' }] }),
    );
    expect(sent).toMatchObject({ status: 'sent', direction: 'out' });
    expect(sent.attachments[0]).toMatchObject({ state: 'ready', contentType: 'application/pdf' });
    await onceShredded(() => expect(temps()).toEqual([]));

    const entry = await cat.device.waitForMessage();
    const pointer = entry.dataMessage.attachments?.[0];
    expect(pointer?.fileName).toBe('notes.pdf');
    const blob = readFileSync(join(cdnDir, 'attachments', pointer!.attachmentIdentifier!.cdnKey!));
    expect(contactDecrypt(blob, pointer!.key!, pointer!.digest!, pointer!.size!).equals(file)).toBe(true);

    const ours = await value(service.call('attachments.read', { attachmentId: sent.attachments[0]!.id }));
    expect(Buffer.from(ours.dataBase64, 'base64').equals(file)).toBe(true);
    // Read back in a range across a vault segment boundary, as a large file is shown or saved.
    const range = await value(
      service.call('attachments.readRange', {
        attachmentId: sent.attachments[0]!.id,
        offset: SEGMENT_BYTES - 10,
        length: 100_000,
      }),
    );
    expect(range).toMatchObject({
      offset: SEGMENT_BYTES - 10,
      size: file.length,
      blobType: 'application/octet-stream',
    });
    const expected = file.subarray(SEGMENT_BYTES - 10, SEGMENT_BYTES - 10 + 100_000);
    expect(Buffer.from(range.dataBase64, 'base64').equals(expected)).toBe(true);
    // The stage was taken by the send: it is gone.
    await expect(service.call('attachments.stageCancel', { stageId })).resolves.toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('a file chosen in the native dialog is staged by the core from its path and sent', async () => {
    const file = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2 * SEGMENT_BYTES + 333)]);
    const path = join(cdnDir, 'chosen report.pdf');
    writeFileSync(path, file);
    picked = [path];
    const { files } = await value(service.call('attachments.pick', {}));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ fileName: 'chosen report.pdf', size: file.length });
    const sent = await value(
      service.call('attachments.send', {
        conversationId,
        files: [{ stageId: files[0]!.stageId, fileName: files[0]!.fileName }],
      }),
    );
    expect(sent.status).toBe('sent');
    const pointer = (await cat.device.waitForMessage()).dataMessage.attachments?.[0];
    const blob = readFileSync(join(cdnDir, 'attachments', pointer!.attachmentIdentifier!.cdnKey!));
    expect(contactDecrypt(blob, pointer!.key!, pointer!.digest!, pointer!.size!).equals(file)).toBe(true);

    // A cancelled dialog stages nothing; a directory is refused and leaves nothing staged.
    picked = [];
    await expect(value(service.call('attachments.pick', {}))).resolves.toEqual({ files: [] });
    picked = [cdnDir];
    await expect(service.call('attachments.pick', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    await onceShredded(() => expect(temps()).toEqual([]));
  });

  it('refuses chunks out of order, too big or past the announced size; cancel wipes the staged file', async () => {
    const { stageId } = await value(service.call('attachments.stageBegin', { size: 100_000 }));
    const chunk = (offset: number, bytes: number) =>
      service.call('attachments.stageChunk', {
        stageId,
        offset,
        dataBase64: randomBytes(bytes).toString('base64'),
      });
    await value(chunk(0, 40_000));
    await expect(chunk(0, 10)).resolves.toMatchObject({ ok: false, error: { code: 'PRECONDITION' } });
    await expect(chunk(40_000, STAGING_LIMITS.chunkBytes + 3)).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    // Sending an incomplete file is refused and keeps the stage.
    await expect(
      service.call('attachments.send', { conversationId, files: [{ stageId }] }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'PRECONDITION' } });
    expect(temps()).toHaveLength(1);
    await value(service.call('attachments.stageCancel', { stageId }));
    await onceShredded(() => expect(temps()).toEqual([]));
    await expect(chunk(40_000, 10)).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // A file longer than announced is refused and its staged part wiped.
    const long = await value(service.call('attachments.stageBegin', { size: 10 }));
    await expect(
      service.call('attachments.stageChunk', {
        stageId: long.stageId,
        offset: 0,
        dataBase64: randomBytes(11).toString('base64'),
      }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await onceShredded(() => expect(temps()).toEqual([]));
    await expect(
      service.call('attachments.stageBegin', { size: STAGING_LIMITS.maxFileBytes + 1 }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('a lock mid-stage wipes the staged file; after unlock the stage is unknown', async () => {
    const { stageId } = await value(service.call('attachments.stageBegin', { size: 2 * SEGMENT_BYTES + 7 }));
    await value(
      service.call('attachments.stageChunk', {
        stageId,
        offset: 0,
        dataBase64: randomBytes(SEGMENT_BYTES + 5).toString('base64'),
      }),
    );
    expect(temps()).toHaveLength(1);
    await value(service.call('vault.lock', {}));
    await onceShredded(() => expect(temps()).toEqual([]));
    await value(service.call('vault.unlock', { passphrase: PASS }));
    await expect(
      service.call('attachments.stageChunk', {
        stageId,
        offset: SEGMENT_BYTES + 5,
        dataBase64: randomBytes(2).toString('base64'),
      }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('a tampered byte in a multi-segment download fails the MAC; no vault file is left, final or temporary', async () => {
    const before = readdirSync(filesDir()).sort();
    const plaintext = randomBytes(3 * SEGMENT_BYTES + 999);
    const encrypted = mockCrypto.encryptAttachment(plaintext);
    const tampered = Buffer.from(new Uint8Array(encrypted.blob));
    // Near the end: by then three segments of plaintext went into the uncommitted file.
    const at = tampered.length - 100;
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    const cdnKey = `tampered-${randomBytes(8).toString('hex')}`;
    await network.server.storeAttachmentOnCdn(3, cdnKey, tampered);
    const failed = nextEvent(
      service,
      'message.updated',
      (p) => p.message.direction === 'in' && p.message.attachments.some((a) => a.state === 'failed'),
    );
    await cat.device.sendRaw(await cat.ensureSession(ourAci), {
      content: {
        dataMessage: {
          ...EMPTY_DATA_MESSAGE,
          body: null,
          attachments: [{ ...mockAttachment.attachmentToPointer(cdnKey, encrypted), cdnNumber: 3 }],
          timestamp: BigInt(Date.now()),
        },
      },
      pniSignatureMessage: null,
      senderKeyDistributionMessage: null,
    } as never);
    const message: Message = (await failed).message;
    expect(message.attachments[0]).toMatchObject({ state: 'failed', failure: 'integrity' });
    await onceShredded(() => expect(readdirSync(filesDir()).sort()).toEqual(before));
  });
});
