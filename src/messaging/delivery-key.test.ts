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

  it('are also looked up as a bare GUID only for envelopes from before the vault stopped storing those', () => {
    const key = '018bcfe5687b:g'; // server time 1,700,000,000,123
    expect(storedDeliveryKeys(key, 0)).toEqual([key]); // the vault never had a bare GUID
    expect(storedDeliveryKeys(key, 1_700_000_000_000)).toEqual([key, 'g']);
    expect(storedDeliveryKeys(key, 1_700_000_000_123 - 23 * 3_600_000)).toEqual([key, 'g']); // clock skew
    expect(storedDeliveryKeys(key, 1_700_000_000_123 - 25 * 3_600_000)).toEqual([key]);
    expect(storedDeliveryKeys('g', 1_700_000_000_000)).toEqual(['g']);
  });
});
