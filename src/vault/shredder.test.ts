import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLogSink, type LogFields } from '../log.js';
import { BackgroundShredder } from './shredder.js';

let dir: string;
let logged: { event: string; fields?: LogFields }[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'carapace-shredder-'));
  logged = [];
  setLogSink((_level, event, fields) => logged.push({ event, fields }));
});
afterEach(() => {
  setLogSink(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe('BackgroundShredder', () => {
  it('overwrites every byte with noise before unlinking, for files larger than one noise step', async () => {
    const path = join(dir, 'big');
    const original = randomBytes(3 * 1024 * 1024 + 123);
    writeFileSync(path, original);
    linkSync(path, `${path}.witness`);
    const shredder = new BackgroundShredder();
    shredder.shred(path);
    expect(shredder.holds(path)).toBe(true);
    await shredder.idle();
    expect(shredder.holds(path)).toBe(false);
    expect(existsSync(path)).toBe(false);
    const left = readFileSync(`${path}.witness`);
    expect(left.length).toBe(original.length);
    // Every 64 KiB block differs from what was there (equal blocks by chance: 2^-524288).
    for (let offset = 0; offset < left.length; offset += 65536) {
      const end = Math.min(offset + 65536, left.length);
      expect(left.subarray(offset, end).equals(original.subarray(offset, end))).toBe(false);
    }
  });

  it('takes each path once, treats a missing file as done, and resolves idle() when nothing is queued', async () => {
    const shredder = new BackgroundShredder();
    await shredder.idle();
    const path = join(dir, 'twice');
    writeFileSync(path, 'x');
    shredder.shred(path);
    shredder.shred(path);
    shredder.shred(join(dir, 'never-existed'));
    await shredder.idle();
    expect(existsSync(path)).toBe(false);
    expect(logged.filter((e) => e.event === 'vault.files.shred_failed')).toEqual([]);
  });

  it('one file that cannot be shredded is logged without its path and the queue goes on', async () => {
    const shredder = new BackgroundShredder();
    const notAFile = join(dir, 'a-directory');
    mkdirSync(notAFile);
    const after = join(dir, 'after');
    writeFileSync(after, 'still shredded');
    shredder.shred(notAFile);
    shredder.shred(after);
    await shredder.idle();
    expect(existsSync(after)).toBe(false);
    const failures = logged.filter((e) => e.event === 'vault.files.shred_failed');
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures)).not.toContain(dir);
  });

  it('files queued while it works are shredded before idle() resolves', async () => {
    const shredder = new BackgroundShredder();
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    writeFileSync(first, randomBytes(2 * 1024 * 1024));
    writeFileSync(second, 'queued later');
    shredder.shred(first);
    const idle = shredder.idle();
    shredder.shred(second);
    await idle;
    expect(existsSync(first)).toBe(false);
    expect(existsSync(second)).toBe(false);
  });

  it('pause stops with no file open and keeps the file queued; resume finishes it; abandon forgets the queue', async () => {
    const shredder = new BackgroundShredder();
    const big = join(dir, 'big');
    writeFileSync(big, randomBytes(8 * 1024 * 1024));
    shredder.shred(big);
    await shredder.pause();
    expect(existsSync(big)).toBe(true);
    expect(shredder.holds(big)).toBe(true);
    const queuedWhilePaused = join(dir, 'queued-while-paused');
    writeFileSync(queuedWhilePaused, 'x');
    shredder.shred(queuedWhilePaused);
    await shredder.idle(); // paused: nothing runs
    expect(existsSync(queuedWhilePaused)).toBe(true);
    shredder.resume();
    await shredder.idle();
    expect(existsSync(big)).toBe(false);
    expect(existsSync(queuedWhilePaused)).toBe(false);

    const forgotten = join(dir, 'forgotten');
    writeFileSync(forgotten, 'y');
    shredder.shred(forgotten);
    await shredder.pause();
    shredder.abandon();
    shredder.resume();
    await shredder.idle();
    expect(existsSync(forgotten)).toBe(true);
    expect(shredder.holds(forgotten)).toBe(false);
  });

  it('stays paused until every pause was resumed (one unlock ending must not restart it under the next)', async () => {
    const shredder = new BackgroundShredder();
    const path = join(dir, 'held');
    writeFileSync(path, 'z');
    await shredder.pause(); // the first unlock
    await shredder.pause(); // the next one, queued behind it
    shredder.shred(path);
    shredder.resume(); // the first unlock ends
    await shredder.idle();
    expect(existsSync(path)).toBe(true);
    shredder.resume(); // the second one ends
    await shredder.idle();
    expect(existsSync(path)).toBe(false);
    expect(() => shredder.resume()).toThrow('resume without pause');
  });
});
