/**
 * Issue 13.6: under tsx the demo network's mock server and the core each load their own copy of
 * libsignal-client, so an error thrown by one copy is not `instanceof` the other's classes. The client
 * must still recognise a redelivered envelope as a duplicate (classification by the error's code and
 * name, src/signal/libsignal-errors.ts), not store a false "decryption failed" marker.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./test-support/one-process-child.ts', import.meta.url));

describe('libsignal errors with two copies of libsignal-client in one process', () => {
  it('acks a redelivered envelope as a duplicate, without a decryption-failed marker', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.status, child.stderr).toBe(0);
    const lastLine = child.stdout.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(lastLine)).toEqual({ stored: 1, duplicates: 1, failedMarkers: 0 });
  });
});
