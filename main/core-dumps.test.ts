import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coreDumpAction, launchWithoutCoreDumps } from './core-dumps.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const LIMITS = (soft: string, hard: string): string =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    `Max core file size        ${soft.padEnd(20)} ${hard.padEnd(20)} bytes     `,
    'Max open files            1024                 1048576              files     ',
  ].join('\n');

describe('core dumps of the app processes', () => {
  it.skipIf(process.platform !== 'linux')(
    'relaunches a packaged Linux build once when core dumps are on; otherwise warns or does nothing',
    () => {
      const facts = { platform: 'linux' as const, isPackaged: true, alreadyRelaunched: false };
      expect(coreDumpAction({ ...facts, procLimits: LIMITS('0', '0') })).toBe('none');
      expect(coreDumpAction({ ...facts, procLimits: LIMITS('0', 'unlimited') })).toBe('none');
      expect(coreDumpAction({ ...facts, procLimits: LIMITS('4096', '4096') })).toBe('relaunch');
      expect(coreDumpAction({ ...facts, procLimits: 'garbage' })).toBe('relaunch');
      expect(coreDumpAction({ ...facts, procLimits: LIMITS('unlimited', 'unlimited') })).toBe('relaunch');
      expect(coreDumpAction({ ...facts, procLimits: null })).toBe('relaunch');
      expect(coreDumpAction({ ...facts, alreadyRelaunched: true, procLimits: LIMITS('1', '1') })).toBe(
        'warn',
      );
      expect(coreDumpAction({ ...facts, isPackaged: false, procLimits: LIMITS('1', '1') })).toBe('warn');
      expect(coreDumpAction({ ...facts, platform: 'darwin', procLimits: null })).toBe('none');
      // The real file parses: this test process's own limit decides, not a parse failure.
      const own = readFileSync('/proc/self/limits', 'utf8');
      const ownSoft = /^Max core file size\s+(\S+)/m.exec(own)?.[1];
      expect(coreDumpAction({ ...facts, procLimits: own })).toBe(ownSoft === '0' ? 'none' : 'relaunch');
    },
  );

  it.skipIf(process.platform !== 'linux')(
    'the launch command gives the process (same pid, same arguments) RLIMIT_CORE 0, soft and hard',
    async () => {
      const launch = launchWithoutCoreDumps('linux', process.execPath, [
        '-e',
        'setTimeout(() => {}, 10000)',
        'x y',
      ]);
      const child = spawn(launch.command, [...launch.args], { stdio: 'ignore' });
      try {
        const pid = child.pid;
        if (pid === undefined) throw new Error('spawn failed');
        // exec replaces the shell: once the pid runs node, its limits are the app's.
        await expect
          .poll(async () => (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').slice(0, 4))
          .toEqual([process.execPath, '-e', 'setTimeout(() => {}, 10000)', 'x y']);
        const limits = await readFile(`/proc/${pid}/limits`, 'utf8');
        expect(limits).toMatch(/^Max core file size\s+0\s+0\s+bytes/m);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  it('main never starts a crash reporter (crashpad would write minidumps of crashed renderers)', async () => {
    for (const name of (await readdir(here)).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      expect(/crashReporter/.test(await readFile(path.join(here, name), 'utf8')), name).toBe(false);
    }
  });
});
