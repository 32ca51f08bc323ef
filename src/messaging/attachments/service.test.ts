/**
 * Attachments against the real demo network (@signalapp/mock-server 27 over TLS) with a registered
 * account in a real vault, a simulated contact (the mock's own phone) and a real microsocks proxy:
 *
 * - contact → us: the contact encrypts with the mock's own `encryptAttachment`, stores it with
 *   `storeAttachmentOnCdn` and sends the pointer in a DataMessage with `sendRaw`; we receive and decrypt
 *   that message with libsignal over our chat socket and download the pointer with `downloadAttachment`.
 * - us → contact: `prepareOutgoingAttachment` + `uploadAttachment` (gRPC upload form + TUS over our
 *   HTTP/2), the pointer sent to the contact in an end-to-end encrypted DataMessage; the contact reads
 *   the blob from the CDN and decrypts it with an independent node:crypto implementation.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_DATA_MESSAGE, type Device } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../../demo/network.js';
import { GrpcStatusError, ProtocolError } from '../../errors.js';
import { CdnClient } from '../../net/cdn.js';
import { openChatConnection, type ChatConnection } from '../../net/chat-connection.js';
import { directSocketOpener } from '../../net/direct-opener.js';
import { getAttachmentUploadForm } from '../../net/grpc-attachments.js';
import { GrpcClient } from '../../net/grpc.js';
import { openerForRoute } from '../../net/route.js';
import type { SocketOpener } from '../../net/socket-opener.js';
import { startMicrosocks, type Microsocks } from '../../net/test-support/socks.js';
import {
  decodeEnvelope,
  encodeContent,
  type AttachmentPointer,
  type Content,
} from '../../signal/proto/signal-service.js';
import { SignalProtocolStores } from '../../signal/stores/index.js';
import { Vault } from '../../vault/index.js';
import { onceShredded, scanTree } from '../../test-support/files.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../../test-support/vault.js';
import { SignalAdapter } from '../signal-adapter.js';
import { registerTestAccount, type TestAccount } from '../test-support/account.js';
import { AttachmentRejectedError } from './errors.js';
import { MAX_ATTACHMENT_BYTES } from './limits.js';
import { metadataMarkers, photoWithMetadata } from './image.test-support.js';
import { AttachmentRecords } from './records.js';
import {
  createAttachmentTransport,
  downloadAttachment,
  prepareOutgoingAttachment,
  storeOutgoingAttachment,
  uploadAttachment,
  type AttachmentTransport,
} from './service.js';
import { contactDecrypt, mockAttachment, mockCrypto } from './mock-contact.test-support.js';

interface Inbox {
  next(): Promise<Content>;
}

let network: DemoNetwork;
let cdnDir: string;
let profileDir: string;
let vault: Vault;
let account: TestAccount;
let ourDevice: Device;
let adapter: SignalAdapter;
let chat: ChatConnection;
let inbox: Inbox;
let transport: AttachmentTransport;
let contact: DemoContact;
/** Plaintexts that passed through the pipeline, for the final byte-scan of the profile. */
const received: Buffer[] = [];
const sent: Buffer[] = [];

function filesCount(): number {
  return (vault.db.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n;
}

async function contactSends(pointer: Record<string, unknown>): Promise<void> {
  await contact.device.sendRaw(ourDevice, {
    content: {
      dataMessage: { ...EMPTY_DATA_MESSAGE, attachments: [pointer], timestamp: BigInt(Date.now()) },
    },
    pniSignatureMessage: null,
    senderKeyDistributionMessage: null,
  } as never);
}

async function weSend(pointer: AttachmentPointer): Promise<void> {
  const content = encodeContent({ dataMessage: { attachments: [pointer], timestamp: Date.now() } });
  const encrypted = await adapter.encrypt(contact.aci, 1, content);
  const response = await chat.request({
    verb: 'PUT',
    path: `/v1/messages/${contact.aci}`,
    json: {
      messages: [
        {
          type: encrypted.type,
          destinationDeviceId: encrypted.destinationDeviceId,
          destinationRegistrationId: encrypted.destinationRegistrationId,
          content: Buffer.from(encrypted.content).toString('base64'),
        },
      ],
      timestamp: Date.now(),
      online: false,
      urgent: true,
    },
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  cdnDir = mkdtempSync(join(tmpdir(), 'carapace-att-cdn-'));
  profileDir = mkdtempSync(join(tmpdir(), 'carapace-att-profile-'));
  network = await startDemoNetwork({ cdnDir });
  vault = new Vault(profileDir, { kdf: TEST_KDF });
  await vault.create(Buffer.from(TEST_PASSPHRASE));
  account = await registerTestAccount(vault.db, network.config);
  const device = await network.server.getDeviceByServiceId(account.aci as never);
  if (!device) throw new Error('registered device missing');
  ourDevice = device;
  adapter = new SignalAdapter(
    new SignalProtocolStores(vault.db),
    { aci: account.aci, pni: account.pni, deviceId: account.deviceId },
    network.config.unidentifiedDeliveryTrustRoots,
  );
  const queue: Content[] = [];
  const waiters: ((content: Content) => void)[] = [];
  inbox = {
    next: () =>
      new Promise<Content>((resolve) => {
        const ready = queue.shift();
        if (ready) resolve(ready);
        else waiters.push(resolve);
      }),
  };
  chat = await openChatConnection({
    endpoint: network.config.chat,
    trustRootsPem: network.config.tlsTrustRootsPem,
    openSocket: directSocketOpener,
    auth: { username: `${account.aci}.${account.deviceId}`, password: account.password },
    keepaliveIntervalMs: 0,
    onRequest: async (request) => {
      if (request.path !== '/api/v1/message' || !request.body) return 200;
      const staged = await adapter.decryptStaged(decodeEnvelope(request.body));
      staged.commit();
      const decrypted = staged.result;
      if (decrypted.kind === 'content') {
        const waiter = waiters.shift();
        if (waiter) waiter(decrypted.content);
        else queue.push(decrypted.content);
      }
      return 200;
    },
  });
  transport = createAttachmentTransport({
    config: network.config,
    openSocket: directSocketOpener,
    credentials: account,
  });
  contact = await network.createContact('Alice');
  await contact.ensureSession(account.aci);
});

afterAll(async () => {
  transport?.close();
  await chat?.close();
  if (vault?.state === 'unlocked') vault.lock('shutdown');
  await network?.close();
  rmSync(cdnDir, { recursive: true, force: true });
  rmSync(profileDir, { recursive: true, force: true });
});

describe('attachments on the demo network', () => {
  it('contact → us: the mock-encrypted attachment arrives byte-identical, stored only in vault.files', async () => {
    const plaintext = randomBytes(300_000);
    received.push(plaintext);
    const encrypted = mockCrypto.encryptAttachment(plaintext);
    const cdnKey = `contact-${randomBytes(8).toString('hex')}`;
    await network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob);
    await contactSends({
      ...mockAttachment.attachmentToPointer(cdnKey, encrypted),
      cdnNumber: 3,
      contentType: 'image/jpeg', // a lie: sniffing must not trust it
      fileName: 'holiday.jpg',
    });
    const content = await inbox.next();
    const pointer = content.dataMessage?.attachments?.[0];
    expect(pointer?.cdnKey).toBe(cdnKey);

    const progress: number[] = [];
    const before = filesCount();
    const stored = await downloadAttachment(pointer!, transport, vault.files, {
      onProgress: (done) => progress.push(done),
    });
    expect(filesCount()).toBe(before + 1);
    expect(stored.size).toBe(plaintext.length);
    expect(stored.contentType).toBe('application/octet-stream');
    expect(stored.declaredContentType).toBe('image/jpeg');
    expect(stored.inlineImage).toBe(false);
    expect(stored.fileName).toBe('holiday.jpg');
    expect(progress.at(-1)).toBe(encrypted.blob.length);
    expect(vault.files.read(stored.fileId).equals(plaintext)).toBe(true);
  });

  it('us → contact: a photo is stripped, uploaded via gRPC form + TUS, and decrypts byte-identical', async () => {
    const photo = await photoWithMetadata('jpeg');
    expect(metadataMarkers(photo).length).toBeGreaterThan(3);
    const prepared = await prepareOutgoingAttachment({ bytes: photo, fileName: 'IMG_2041.jpg' });
    const ours = storeOutgoingAttachment(vault.files, prepared);
    sent.push(Buffer.from(prepared.bytes));
    const progress: [number, number][] = [];
    const pointer = await uploadAttachment(prepared, transport, {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(pointer.cdnNumber).toBe(3);
    expect(pointer.fileName).toBeUndefined();
    expect(pointer.contentType).toBe('image/jpeg');
    expect(progress.at(-1)?.[0]).toBe(progress.at(-1)?.[1]);
    await weSend(pointer);

    const entry = await contact.device.waitForMessage();
    const theirs = entry.dataMessage.attachments?.[0];
    expect(theirs?.attachmentIdentifier?.cdnKey).toBe(pointer.cdnKey);
    const blob = readFileSync(join(cdnDir, 'attachments', theirs!.attachmentIdentifier!.cdnKey!));
    const decrypted = contactDecrypt(blob, theirs!.key!, theirs!.digest!, theirs!.size!);
    expect(decrypted.equals(prepared.bytes)).toBe(true);
    expect(decrypted.equals(vault.files.read(ours.fileId))).toBe(true);
    // What the contact got carries no EXIF, GPS, XMP, ICC or camera data.
    expect(metadataMarkers(decrypted)).toEqual([]);
    // The CDN sees only the padded size.
    expect(blob.length).toBeGreaterThan(prepared.size);
  });

  it('us → us: our own upload downloads byte-identical through our pipeline (any file type)', async () => {
    const plaintext = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(1_234_567)]);
    sent.push(plaintext);
    const prepared = await prepareOutgoingAttachment({ bytes: plaintext, fileName: 'report.pdf' });
    expect(prepared.bytes.equals(plaintext)).toBe(true);
    const pointer = await uploadAttachment(prepared, transport);
    expect(pointer.fileName).toBe('report.pdf');
    const stored = await downloadAttachment(pointer, transport, vault.files);
    expect(stored.contentType).toBe('application/pdf');
    expect(vault.files.read(stored.fileId).equals(plaintext)).toBe(true);
  });

  it('a tampered attachment (bad digest/MAC) is rejected and nothing is written', async () => {
    const plaintext = randomBytes(50_000);
    const encrypted = mockCrypto.encryptAttachment(plaintext);
    const tampered = Buffer.from(new Uint8Array(encrypted.blob));
    tampered[1000] = (tampered[1000] ?? 0) ^ 0x01;
    const cdnKey = `tampered-${randomBytes(8).toString('hex')}`;
    await network.server.storeAttachmentOnCdn(3, cdnKey, tampered);
    await contactSends({ ...mockAttachment.attachmentToPointer(cdnKey, encrypted), cdnNumber: 3 });
    const pointer = (await inbox.next()).dataMessage?.attachments?.[0];
    const before = filesCount();
    const filesOnDisk = readdirSync(join(profileDir, 'files')).length;
    await expect(downloadAttachment(pointer!, transport, vault.files)).rejects.toMatchObject({
      reason: 'integrity',
      code: 'ATTACHMENT',
    });
    // An intact blob with a pointer whose digest was changed: also refused.
    const okKey = `intact-${randomBytes(8).toString('hex')}`;
    await network.server.storeAttachmentOnCdn(3, okKey, encrypted.blob);
    const badDigest = Buffer.from(encrypted.digest);
    badDigest[0] = (badDigest[0] ?? 0) ^ 0xff;
    await expect(
      downloadAttachment(
        { cdnKey: okKey, cdnNumber: 3, key: encrypted.key, digest: badDigest, size: encrypted.size },
        transport,
        vault.files,
      ),
    ).rejects.toBeInstanceOf(AttachmentRejectedError);
    expect(filesCount()).toBe(before);
    await onceShredded(() => expect(readdirSync(join(profileDir, 'files')).length).toBe(filesOnDisk));
  });

  it('size limit: over 100 MiB is refused before any work, with a typed error', async () => {
    await expect(
      prepareOutgoingAttachment({ bytes: new Uint8Array(MAX_ATTACHMENT_BYTES + 1) }),
    ).rejects.toMatchObject({ reason: 'too-large' });
    const before = filesCount();
    await expect(
      downloadAttachment(
        {
          cdnKey: 'whatever',
          cdnNumber: 3,
          key: randomBytes(64),
          digest: randomBytes(32),
          size: MAX_ATTACHMENT_BYTES + 1,
        },
        transport,
        vault.files,
      ),
    ).rejects.toMatchObject({ reason: 'too-large' });
    expect(filesCount()).toBe(before);
  });

  it('a missing CDN object is a typed error and writes nothing', async () => {
    const before = filesCount();
    await expect(
      downloadAttachment(
        { cdnKey: 'does-not-exist', cdnNumber: 3, key: randomBytes(64), digest: randomBytes(32), size: 10 },
        transport,
        vault.files,
      ),
    ).rejects.toMatchObject({ code: 'SERVER', status: 404 });
    expect(filesCount()).toBe(before);
  });
});

describe('attachment records (pending → downloaded, failed, deleted)', () => {
  it('an incoming photo is recorded pending with its message, then downloaded, shown and deleted', async () => {
    const records = new AttachmentRecords(vault.db, vault.files);
    const photo = await photoWithMetadata('png');
    received.push(photo);
    const encrypted = mockCrypto.encryptAttachment(photo);
    const cdnKey = `photo-${randomBytes(8).toString('hex')}`;
    await network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob);
    await contactSends({
      ...mockAttachment.attachmentToPointer(cdnKey, encrypted),
      cdnNumber: 3,
      contentType: 'image/png',
      fileName: 'shot.png',
    });
    const pointer = (await inbox.next()).dataMessage!.attachments![0]!;
    // As the receiver would: inside the transaction that stores the message.
    const id = vault.db.transaction(() => records.addIncoming(pointer))();
    expect(records.get(id)?.state).toBe('pending');
    const pending = records.get(id)!;
    expect(pending.state).toBe('pending');
    expect(pending.contentType).toBeUndefined();
    expect(pending.declaredContentType).toBe('image/png');
    expect(() => records.read(id)).toThrow();

    const before = filesCount();
    const [a, b] = await Promise.all([records.download(id, transport), records.download(id, transport)]);
    expect(a).toEqual(b);
    expect(filesCount()).toBe(before + 2); // the photo and its thumbnail, once
    expect(a.state).toBe('ready');
    expect(a.contentType).toBe('image/png');
    expect(a.inlineImage).toBe(true);
    expect(a.hasThumbnail).toBe(true);
    expect(records.get(id)?.state).not.toBe('pending');
    const row = vault.db.prepare('SELECT pointer FROM attachments WHERE id = ?').get(id) as {
      pointer: unknown;
    };
    expect(row.pointer).toBeNull();
    // Received bytes are kept as sent (only our own outgoing photos are re-encoded).
    expect(records.read(id).bytes.equals(photo)).toBe(true);
    expect(records.read(id, 'thumbnail').contentType).toBe('image/jpeg');

    records.delete(id);
    expect(records.get(id)).toBeUndefined();
    expect(filesCount()).toBe(before);
  });

  it('a tampered incoming attachment ends failed, its pointer forgotten, no file written', async () => {
    const records = new AttachmentRecords(vault.db, vault.files);
    const encrypted = mockCrypto.encryptAttachment(randomBytes(20_000));
    const tampered = Buffer.from(new Uint8Array(encrypted.blob));
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0x01;
    const cdnKey = `tampered-rec-${randomBytes(8).toString('hex')}`;
    await network.server.storeAttachmentOnCdn(3, cdnKey, tampered);
    const id = records.addIncoming({
      cdnKey,
      cdnNumber: 3,
      key: encrypted.key,
      digest: encrypted.digest,
      size: encrypted.size,
      fileName: 'run.sh',
    });
    expect(records.get(id)?.potentiallyExecutable).toBe(true);
    const before = filesCount();
    await expect(records.download(id, transport)).rejects.toMatchObject({ reason: 'integrity' });
    expect(filesCount()).toBe(before);
    const info = records.get(id)!;
    expect(info.state).toBe('failed');
    expect(info.failure).toBe('integrity');
    expect(records.get(id)?.state).not.toBe('pending');
    // A second attempt does not touch the network again.
    expect((await records.download(id, transport)).state).toBe('failed');
    records.delete(id);
  });

  it('our sent attachments are recorded ready with their thumbnail', async () => {
    const records = new AttachmentRecords(vault.db, vault.files);
    const prepared = await prepareOutgoingAttachment({ bytes: await photoWithMetadata('webp') });
    const id = records.addOutgoing(storeOutgoingAttachment(vault.files, prepared));
    const info = records.get(id)!;
    expect(info).toMatchObject({
      direction: 'outgoing',
      state: 'ready',
      contentType: 'image/webp',
      hasThumbnail: true,
    });
    expect(records.read(id).bytes.equals(prepared.bytes)).toBe(true);
    records.delete(id);
  });
});

describe('gRPC upload form', () => {
  it('GetUploadForm over our HTTP/2 names CDN 3 on the configured host', async () => {
    const grpc = new GrpcClient({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
    });
    try {
      const result = await getAttachmentUploadForm(grpc, 12345, { auth: transport.auth });
      expect(result.kind).toBe('form');
      if (result.kind !== 'form') return;
      expect(result.form.cdn).toBe(3);
      expect(result.form.key.length).toBeGreaterThan(8);
      expect(new URL(result.form.signedUploadLocation).pathname).toBe(`/cdn3/attachments/${result.form.key}`);
      // A gRPC error status (the mock fails this call: no such username hash) is a typed error.
      await expect(
        grpc.unary({
          path: '/org.signal.chat.account.Accounts/DeleteUsernameHash',
          message: new Uint8Array(0),
        }),
      ).rejects.toBeInstanceOf(GrpcStatusError);
    } finally {
      grpc.close();
    }
  });

  it('an upload form pointing at a host outside the config is refused', async () => {
    const cdn = new CdnClient({ config: network.config, openSocket: directSocketOpener });
    try {
      await expect(
        cdn.tusUpload(
          {
            cdn: 3,
            key: 'k',
            headers: {},
            signedUploadLocation: 'https://evil.example:443/cdn3/attachments/k',
          },
          new Uint8Array(10),
        ),
      ).rejects.toBeInstanceOf(ProtocolError);
    } finally {
      cdn.close();
    }
  });
});

describe('attachments through a SOCKS5 proxy', () => {
  let proxy: Microsocks;
  beforeAll(async () => {
    proxy = await startMicrosocks();
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it('CDN upload and download go through the proxy (seen in its log), never direct', async () => {
    let direct = 0;
    const countingDirect: SocketOpener = (target, signal) => {
      direct += 1;
      return directSocketOpener(target, signal);
    };
    const socks = openerForRoute({ mode: 'socks5', host: proxy.host, port: proxy.port });
    const proxied = createAttachmentTransport({
      config: network.config,
      openSocket: socks,
      credentials: account,
    });
    // Only the CDN client is proxied here, so the proxy's log shows the CDN connection alone.
    const grpcDirect = new GrpcClient({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: countingDirect,
    });
    const mixed: AttachmentTransport = { grpc: grpcDirect, cdn: proxied.cdn, auth: proxied.auth, close() {} };
    try {
      const plaintext = randomBytes(200_000);
      sent.push(plaintext);
      const prepared = await prepareOutgoingAttachment({ bytes: plaintext });
      const pointer = await uploadAttachment(prepared, mixed);
      const stored = await downloadAttachment(pointer, mixed, vault.files);
      expect(vault.files.read(stored.fileId).equals(plaintext)).toBe(true);
      const targets = await proxy.waitForConnections(1);
      expect(targets).toContain(`${network.config.cdn['3']!.host}:${network.config.cdn['3']!.port}`);
      expect(direct).toBe(1); // the gRPC session only
    } finally {
      grpcDirect.close();
      proxied.close();
    }
  });
});

// Last: it locks the vault (the chat connection's stores use the vault's DB handle).
describe('at rest', () => {
  it('a byte-scan of the profile finds none of the attachments’ plaintext', () => {
    vault.lock('user');
    const needles: Buffer[] = [];
    for (const bytes of [...received, ...sent]) {
      for (const at of [0.25, 0.5, 0.75]) {
        const start = Math.floor(bytes.length * at);
        needles.push(Buffer.from(bytes.subarray(start, start + 48)));
      }
    }
    expect(needles.length).toBeGreaterThanOrEqual(9);
    expect(scanTree(profileDir, needles)).toEqual([]);
  });
});
