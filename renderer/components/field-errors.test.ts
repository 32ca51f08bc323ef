import { describe, expect, it } from 'vitest';
import { fieldNames, fieldReason } from './field-errors.js';

describe('INVALID_INPUT in words', () => {
  it("says the core's own sentence for a library rule, never the schema's wording", () => {
    const library = {
      code: 'INVALID_INPUT',
      message: 'The name part is too short (at least 3 characters).',
      fields: ['nickname'],
    };
    expect(fieldNames(library)).toEqual(['Username']);
    expect(fieldReason(library)).toBe('The name part is too short (at least 3 characters).');
    const schema = {
      code: 'INVALID_INPUT',
      message: 'discriminator: Digits only',
      fields: ['discriminator'],
    };
    expect(fieldNames(schema)).toEqual(['Number']);
    expect(fieldReason(schema)).toBeNull();
  });
});
