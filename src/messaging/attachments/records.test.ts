import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { scanTree } from '../../vault/test-support/profile.js';
import { createTempVault, type TempVault } from '../test-support/temp-db.js';
import { AttachmentRecords } from './records.js';

let temp: TempVault | undefined;
afterEach(() => {
  temp?.close();
  temp = undefined;
});

describe('AttachmentRecords at rest', () => {
  it('a pending incoming attachment survives a restart, with its key only inside the encrypted DB', async () => {
    temp = await createTempVault('carapace-att-rec-');
    const key = randomBytes(64);
    const digest = randomBytes(32);
    const records = new AttachmentRecords(temp.vault.db, temp.vault.files);
    const id = records.addIncoming({
      cdnKey: 'abc',
      cdnNumber: 3,
      key,
      digest,
      size: 1234,
      fileName: '../../secret/Tax Return.pdf\u202e',
      contentType: 'application/pdf',
    });
    expect(records.get(id)).toMatchObject({
      state: 'pending',
      fileName: 'Tax Return.pdf',
      declaredContentType: 'application/pdf',
      size: 1234,
      potentiallyExecutable: false,
    });
    expect(() => records.read(id)).toThrow(ValidationError);

    await temp.reopen();
    const again = new AttachmentRecords(temp.vault.db, temp.vault.files);
    expect(again.pendingIds()).toEqual([id]);
    temp.vault.lock('user');
    expect(scanTree(temp.dir, [key.subarray(0, 32), key.subarray(32), digest])).toEqual([]);
  });

  it('rejects malformed ids and deletes idempotently', async () => {
    temp = await createTempVault('carapace-att-rec-');
    const records = new AttachmentRecords(temp.vault.db, temp.vault.files);
    expect(() => records.get('../../etc')).toThrow(ValidationError);
    expect(records.get('0'.repeat(32))).toBeUndefined();
    const id = records.addIncoming({
      cdnKey: 'k',
      cdnNumber: 3,
      key: randomBytes(64),
      digest: randomBytes(32),
      size: 1,
    });
    records.delete(id);
    records.delete(id);
    expect(records.get(id)).toBeUndefined();
    expect(records.pendingIds()).toEqual([]);
  });
});
