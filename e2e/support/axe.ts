/**
 * The accessibility check every screen's spec can call: axe-core (WCAG 2.x A/AA rules and best practices)
 * on the current page, failing on any serious or critical violation with what and where, so the report
 * names the rule and the element, not just a count. Minor/moderate findings are attached, not failed.
 */
import { writeFileSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

type Result = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

const FAILING_IMPACTS = new Set(['serious', 'critical']);

function describe(violation: Result): string {
  const where = violation.nodes
    .slice(0, 5)
    .map(
      (node) =>
        `    ${node.target.join(' ')}${node.failureSummary ? ` — ${node.failureSummary.split('\n')[1]?.trim() ?? ''}` : ''}`,
    )
    .join('\n');
  return `  [${violation.impact ?? '?'}] ${violation.id}: ${violation.help}\n${where}`;
}

/** Scans `page` as it is now; `label` names the screen (and colour scheme) in the failure and the report. */
export async function expectNoSeriousViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const serious = results.violations.filter((v) => FAILING_IMPACTS.has(v.impact ?? ''));
  const minor = results.violations.filter((v) => !FAILING_IMPACTS.has(v.impact ?? ''));
  if (minor.length > 0) {
    // A file, not an inline body: the list reporter prints only its path.
    const path = test.info().outputPath(`axe-minor-${label.replace(/[^\w]+/g, '-')}.txt`);
    writeFileSync(path, minor.map(describe).join('\n'));
    await test.info().attach(`axe ${label} (minor)`, { path, contentType: 'text/plain' });
  }
  expect(serious.map(describe).join('\n'), `serious accessibility violations on ${label}`).toBe('');
}
