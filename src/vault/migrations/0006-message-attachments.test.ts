/**
 * Migration 0006 on a real SQLCipher DB holding version-5 data: the JSON arrays of attachment ids move
 * to message_attachments in order, the column goes, and the messaging store reads the same messages.
 */
import { describe, expect, it } from 'vitest';
import { MessageStore } from '../../messaging/store.js';
import { dbAtVersion } from '../../test-support/db-at-version.js';
import { runMigrations } from '../migrate.js';
import type { SqlDatabase } from '../sql.js';
import { MIGRATIONS } from './index.js';

function insertV5Message(db: SqlDatabase, id: string, seq: number, attachmentIds: string[] | null): void {
  db.prepare(
    `INSERT INTO messages (seq, id, conversation_id, kind, direction, sent_at, received_at, body, status,
       attachment_ids) VALUES (?, ?, 'c1', 'message', 'in', ?, ?, ?, 'received', ?)`,
  ).run(seq, id, seq, seq, `body ${id}`, attachmentIds ? JSON.stringify(attachmentIds) : null);
}

describe('migration 0006: message_attachments', () => {
  it('moves existing attachment ids in order, drops the column, and the store reads them back', () => {
    const db = dbAtVersion(5);
    db.prepare(`INSERT INTO conversations (id, service_id, created_at) VALUES ('c1', 'svc-1', 1)`).run();
    insertV5Message(db, 'm-three', 1, ['z-first', 'a-second', 'm-third']);
    insertV5Message(db, 'm-none', 2, null);
    insertV5Message(db, 'm-one', 3, ['only']);

    expect(runMigrations(db)).toEqual({ from: 5, to: MIGRATIONS.length });

    const columns = (db.prepare('PRAGMA table_info(messages)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    expect(columns).not.toContain('attachment_ids');
    expect(
      db.prepare('SELECT message_id, position, attachment_id FROM message_attachments ORDER BY 1, 2').all(),
    ).toEqual([
      { message_id: 'm-one', position: 0, attachment_id: 'only' },
      { message_id: 'm-three', position: 0, attachment_id: 'z-first' },
      { message_id: 'm-three', position: 1, attachment_id: 'a-second' },
      { message_id: 'm-three', position: 2, attachment_id: 'm-third' },
    ]);

    const store = new MessageStore(db);
    expect(store.getMessage('m-three')?.attachmentIds).toEqual(['z-first', 'a-second', 'm-third']);
    expect(store.getMessage('m-none')?.attachmentIds).toEqual([]);
    expect(store.page('c1').messages.map((m) => m.attachmentIds)).toEqual([
      ['only'],
      [],
      ['z-first', 'a-second', 'm-third'],
    ]);
    expect(store.findMessageByAttachmentId('a-second')?.id).toBe('m-three');
    expect(store.findMessageByAttachmentId('nowhere')).toBeUndefined();

    // The lookup by attachment id is an index search, not a scan of every message.
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT message_id FROM message_attachments WHERE attachment_id = ?')
      .all('only') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' | ')).toMatch(
      /USING (COVERING )?INDEX message_attachments_attachment/,
    );

    // Link rows go with their message.
    expect(store.deleteConversation('c1')).toEqual(['z-first', 'a-second', 'm-third', 'only']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM message_attachments').get()).toEqual({ n: 0 });
  });
});
