import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelopeDeliveryKey, storedDeliveryKeys } from './delivery-key.js';

describe('envelope delivery keys', () => {
  it('are the same for a re-delivery, in either GUID encoding', () => {
    const guid = '6f1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b';
    const binary = Buffer.from(guid.replaceAll('-', ''), 'hex');
    const text = envelopeDeliveryKey({ serverGuid: guid, serverTimestamp: 1_700_000_000_123 });
    expect(text).toBe(`018bcfe5687b:${guid}`);
    expect(envelopeDeliveryKey({ serverGuidBinary: binary, serverTimestamp: 1_700_000_000_123 })).toBe(text);
  });

  it('sort by the server timestamp whatever the (random) GUIDs', () => {
    const keys = Array.from({ length: 500 }, (_, i) =>
      envelopeDeliveryKey({ serverGuid: randomUUID(), serverTimestamp: 1_700_000_000_000 + i * 7 }),
    );
    expect(keys).toEqual([...keys].sort());
  });

  it('need a GUID; a missing timestamp counts as zero', () => {
    expect(envelopeDeliveryKey({ serverTimestamp: 5 })).toBeUndefined();
    expect(envelopeDeliveryKey({ serverGuidBinary: new Uint8Array(15) })).toBeUndefined();
    expect(envelopeDeliveryKey({ serverGuid: 'g' })).toBe('000000000000:g');
  });

  it('are looked up in their own form and as the bare GUID of older rows', () => {
    expect(storedDeliveryKeys('018bcfe5687b:g')).toEqual(['018bcfe5687b:g', 'g']);
    expect(storedDeliveryKeys('g')).toEqual(['g', 'g']);
  });
});
