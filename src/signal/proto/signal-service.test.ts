import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../errors.js';
import {
  DataMessageFlags,
  decodeContent,
  decodeDataMessage,
  decodeEnvelope,
  encodeContent,
  encodeDataMessage,
  encodeEnvelope,
  EnvelopeType,
  padContent,
  paddedLength,
  ReceiptType,
  TypingAction,
  unpadContent,
} from './signal-service.js';

describe('signal-service protos', () => {
  it('round-trips an envelope with 64-bit timestamps and binary service ids', () => {
    const bytes = encodeEnvelope({
      type: EnvelopeType.UNIDENTIFIED_SENDER,
      clientTimestamp: 1_763_000_000_123,
      serverTimestamp: 1_763_000_000_456,
      content: new Uint8Array([1, 2, 3]),
      destinationServiceIdBinary: new Uint8Array(16).fill(7),
      serverGuid: 'guid-1',
      urgent: false,
    });
    const envelope = decodeEnvelope(bytes);
    expect(envelope.type).toBe(EnvelopeType.UNIDENTIFIED_SENDER);
    expect(envelope.clientTimestamp).toBe(1_763_000_000_123);
    expect(envelope.serverTimestamp).toBe(1_763_000_000_456);
    expect(Array.from(envelope.content ?? [])).toEqual([1, 2, 3]);
    expect(envelope.destinationServiceIdBinary?.byteLength).toBe(16);
    expect(envelope.urgent).toBe(false);
    expect(envelope.sourceServiceId).toBeUndefined();
  });

  it('round-trips data, receipt and typing messages', () => {
    const content = decodeContent(
      encodeContent({
        dataMessage: {
          body: 'hello',
          timestamp: 1_763_000_000_000,
          expireTimer: 3600,
          flags: DataMessageFlags.EXPIRATION_TIMER_UPDATE,
          profileKey: new Uint8Array(32).fill(9),
          isViewOnce: true,
          attachments: [
            { cdnKey: 'abc', cdnNumber: 3, contentType: 'image/png', size: 10, key: new Uint8Array(64) },
          ],
        },
        receiptMessage: { type: ReceiptType.READ, timestamp: [1, 1_763_000_000_001] },
        typingMessage: { timestamp: 5, action: TypingAction.STOPPED },
      }),
    );
    expect(content.dataMessage?.body).toBe('hello');
    expect(content.dataMessage?.expireTimer).toBe(3600);
    expect(content.dataMessage?.flags).toBe(DataMessageFlags.EXPIRATION_TIMER_UPDATE);
    expect(content.dataMessage?.isViewOnce).toBe(true);
    expect(content.dataMessage?.profileKey?.byteLength).toBe(32);
    expect(content.dataMessage?.attachments?.[0]?.cdnKey).toBe('abc');
    expect(content.receiptMessage).toEqual({ type: ReceiptType.READ, timestamp: [1, 1_763_000_000_001] });
    expect(content.typingMessage?.action).toBe(TypingAction.STOPPED);
  });

  it('rejects malformed bytes with ProtocolError', () => {
    expect(() => decodeEnvelope(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow(ProtocolError);
    expect(() => decodeContent(new Uint8Array([0x0a, 0x50, 0x01]))).toThrow(ProtocolError); // length past the end
    expect(() => decodeContent(new Uint8Array([]))).toThrow(ProtocolError); // nothing we know
    expect(() => decodeEnvelope(new Uint8Array([]))).toThrow(ProtocolError); // no type
  });

  it('pads to 160-byte blocks minus one and unpads', () => {
    expect(paddedLength(0)).toBe(159);
    expect(paddedLength(157)).toBe(159);
    expect(paddedLength(158)).toBe(159);
    expect(paddedLength(159)).toBe(319);
    const message = encodeContent({ dataMessage: { body: 'x'.repeat(200) } });
    const padded = padContent(message);
    expect(padded.byteLength % 160).toBe(159);
    expect(Array.from(unpadContent(padded))).toEqual(Array.from(message));
    // The mock server's devices pad with a bare 0x80: accepted too.
    expect(Array.from(unpadContent(new Uint8Array([1, 2, 0x80])))).toEqual([1, 2]);
    expect(() => unpadContent(new Uint8Array([1, 2, 0, 0]))).toThrow(ProtocolError);
    expect(() => unpadContent(new Uint8Array([]))).toThrow(ProtocolError);
  });
});

describe('DataMessage.preview', () => {
  it("uses Signal's field numbers: the mock server's own compiled protos read our preview", async () => {
    const { createRequire } = await import('node:module');
    const { signalservice } = createRequire(import.meta.url)('@signalapp/mock-server/protos/compiled.js') as {
      signalservice: {
        DataMessage: {
          decode(bytes: Uint8Array): {
            preview: Array<{
              url: string | null;
              title: string | null;
              description: string | null;
              image: { cdnKey?: string | null; attachmentIdentifier?: { cdnKey?: string } | null } | null;
            }>;
          };
        };
      };
    };
    const bytes = encodeDataMessage({
      body: 'see https://example.org/a',
      timestamp: 1,
      preview: [
        {
          url: 'https://example.org/a',
          title: 'A title',
          description: 'About it',
          image: { cdnKey: 'key-1', cdnNumber: 3 },
        },
      ],
    });
    const theirs = signalservice.DataMessage.decode(bytes).preview[0];
    expect(theirs).toMatchObject({ url: 'https://example.org/a', title: 'A title', description: 'About it' });
    expect(JSON.stringify(theirs?.image)).toContain('key-1');
    expect(decodeDataMessage(bytes).preview?.[0]).toMatchObject({ url: 'https://example.org/a' });
  });
});

describe('quote, reaction, delete and edit (issue 14)', () => {
  interface TheirContent {
    decode(bytes: Uint8Array): { content: Record<string, unknown> | null };
    encode(value: unknown): Uint8Array;
  }
  async function theirContent(): Promise<TheirContent> {
    const { createRequire } = await import('node:module');
    const required = createRequire(import.meta.url)('@signalapp/mock-server/protos/compiled.js') as {
      signalservice: { Content: TheirContent };
    };
    return required.signalservice.Content;
  }

  it("uses Signal's field numbers: the mock server's compiled protos read what we encode", async () => {
    const Content = await theirContent();
    const bytes = encodeContent({
      dataMessage: {
        body: 'reply',
        timestamp: 10,
        quote: {
          id: 1_763_000_000_001,
          authorAci: 'aci-1',
          text: 'original',
          attachments: [{ contentType: 'image/png', fileName: 'a.png' }],
        },
        reaction: { emoji: '👍', remove: true, targetAuthorAci: 'aci-2', targetSentTimestamp: 7 },
        delete: { targetSentTimestamp: 8 },
        expireTimerVersion: 3,
      },
    });
    const data = Content.decode(bytes).content?.['dataMessage'];
    expect(data).toMatchObject({
      quote: { id: 1_763_000_000_001n, authorAci: 'aci-1', text: 'original' },
      reaction: { emoji: '👍', remove: true, targetAuthorAci: 'aci-2', targetSentTimestamp: 7n },
      delete: { targetSentTimestamp: 8n },
      expireTimerVersion: 3,
    });
    expect((data as { quote: { attachments: unknown[] } }).quote.attachments[0]).toMatchObject({
      contentType: 'image/png',
      fileName: 'a.png',
    });

    const edit = Content.decode(
      encodeContent({ editMessage: { targetSentTimestamp: 3, dataMessage: { body: 'new', timestamp: 4 } } }),
    ).content?.['editMessage'];
    expect(edit).toMatchObject({ targetSentTimestamp: 3n, dataMessage: { body: 'new', timestamp: 4n } });
  });

  it('reads what Signal encodes, skipping the fields we do not model (body ranges, stickers)', async () => {
    const Content = await theirContent();
    const bytes = Content.encode({
      content: {
        dataMessage: {
          body: 'hi',
          timestamp: 5n,
          quote: {
            id: 4n,
            authorAciBinary: new Uint8Array(16).fill(1),
            text: 'q',
            bodyRanges: [{ start: 0, length: 1, style: 1 }],
            attachments: [
              {
                contentType: 'video/mp4',
                thumbnail: { attachmentIdentifier: { cdnKey: 'k' }, cdnNumber: 3 },
              },
            ],
          },
          reaction: {
            emoji: '❤️',
            targetAuthorAciBinary: new Uint8Array(16).fill(2),
            targetSentTimestamp: 6n,
          },
          bodyRanges: [{ start: 0, length: 2, style: 2 }],
          sticker: { packId: new Uint8Array(16), packKey: new Uint8Array(32), stickerId: 1 },
        },
      },
    });
    const data = decodeContent(bytes).dataMessage;
    expect(data?.body).toBe('hi');
    expect(data?.quote).toMatchObject({ id: 4, text: 'q' });
    expect(data?.quote?.authorAciBinary?.byteLength).toBe(16);
    expect(data?.quote?.attachments?.[0]).toMatchObject({
      contentType: 'video/mp4',
      thumbnail: { cdnKey: 'k' },
    });
    expect(data?.reaction).toMatchObject({ emoji: '❤️', targetSentTimestamp: 6 });
  });
});
