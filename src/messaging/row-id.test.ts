import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './row-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('time-ordered row ids (UUIDv7)', () => {
  it('carry the time in their first 48 bits and are valid v7 UUIDs', () => {
    const id = timeOrderedId(1_700_000_000_123);
    expect(id).toMatch(UUID_V7);
    expect(id.slice(0, 13)).toBe('018bcfe5-687b');
  });

  it('sort by time and do not repeat within one millisecond', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) =>
      timeOrderedId(1_700_000_000_000 + Math.floor(i / 100)),
    );
    expect(ids.map((id) => id.slice(0, 13))).toEqual([...ids].sort().map((id) => id.slice(0, 13)));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
