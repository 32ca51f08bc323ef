/**
 * No core dumps of the app's processes. The lock crashes the renderer on purpose (main/lock.ts) and its
 * heap holds decrypted messages; with core dumps on (RLIMIT_CORE > 0, e.g. systemd-coredump keeping them
 * under /var/lib/systemd/coredump) that heap would land on disk. Electron offers no prctl(PR_SET_DUMPABLE)
 * and Node no setrlimit, so the limit is set where a process starts: `/bin/sh -c 'ulimit -c 0 && exec …'`
 * sets soft and hard RLIMIT_CORE to 0 and execs the app, and every process Chromium forks (zygote,
 * renderers, GPU) inherits it. `npm start` launches Electron that way; a packaged Linux build that finds
 * the limit above 0 relaunches itself that way once (app.relaunch) before doing anything else.
 * Crashpad minidumps are the other way a heap could reach the disk: main never starts Electron's crash reporter.
 */

/** `ulimit -c 0` lowers soft and hard limits (always allowed); `exec` keeps the pid and the arguments. */
const NO_CORE_DUMPS_SCRIPT = 'ulimit -c 0 && exec "$0" "$@"';

/** Set on the relaunched instance, so a limit that could not be lowered never loops. */
export const CORE_DUMP_RELAUNCH_ENV = 'CARAPACE_CORE_DUMPS_RELAUNCHED';

export interface Launch {
  readonly command: string;
  readonly args: readonly string[];
}

/** The command line that runs `command args…` with RLIMIT_CORE 0 (unchanged on Windows: no rlimits). */
export function launchWithoutCoreDumps(
  platform: NodeJS.Platform,
  command: string,
  args: readonly string[],
): Launch {
  if (platform === 'win32') return { command, args };
  return { command: '/bin/sh', args: ['-c', NO_CORE_DUMPS_SCRIPT, command, ...args] };
}

/** The soft RLIMIT_CORE from /proc/<pid>/limits ("Max core file size  <soft> <hard> bytes"), or null. */
function softCoreLimit(procLimits: string): number | null {
  const match = /^Max core file size\s+(\S+)\s+(\S+)/m.exec(procLimits);
  if (!match?.[1]) return null;
  return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

export type CoreDumpAction = 'none' | 'relaunch' | 'warn';

/**
 * What main does at start. Linux only (macOS ships with core dumps off, Windows has none by default).
 * Unpackaged runs are started by `npm start` (limited) or by Playwright, which a relaunch would cut
 * off from the app — so they only warn. An unreadable limit counts as enabled.
 */
export function coreDumpAction(facts: {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  procLimits: string | null;
  alreadyRelaunched: boolean;
}): CoreDumpAction {
  if (facts.platform !== 'linux') return 'none';
  const soft = facts.procLimits === null ? null : softCoreLimit(facts.procLimits);
  if (soft === 0) return 'none';
  return facts.isPackaged && !facts.alreadyRelaunched ? 'relaunch' : 'warn';
}
