/**
 * A reporter that says once, at the end, why tests were skipped (e.g. the whole `electron` project when no
 * Electron binary exists): the list reporter shows a skipped test only as a dash, never its reason.
 */
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SkipReasonsReporter implements Reporter {
  private readonly reasons = new Map<string, number>();

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status !== 'skipped') return;
    const project = test.parent.project()?.name ?? '?';
    const reason =
      [...result.annotations, ...test.annotations].find((a) => a.type === 'skip')?.description ??
      'no reason given';
    const key = `${project}: ${reason}`;
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
  }

  onEnd(): void {
    for (const [key, count] of this.reasons) {
      process.stdout.write(`Skipped ${count} test(s) in project ${key}\n`);
    }
  }

  printsToStdio(): boolean {
    return true;
  }
}
