/** The hardening report: which settings match the Signal hardening guides, "apply recommended" and its undo. */
import { PreconditionError } from '../../../errors.js';
import { applyRecommended, auditSettings } from '../../../settings/audit.js';
import { describeChanges, revertPatch, type SettingChange } from '../../../settings/setting-changes.js';
import { applySettingsPatch } from '../../../settings/schema.js';
import { readAccountSecurityFacts } from '../../../account/pin-service.js';
import { capabilitiesOf } from '../../../net/config.js';
import type { AuditReport } from '../../contract.js';
import type { CoreContext, Handlers } from '../context.js';
import type { Session } from '../session.js';

export function auditHandlers(ctx: CoreContext) {
  const report = (s: Session, changes?: SettingChange[]): AuditReport => ({
    items: auditSettings(s.settings.get(), {
      ...readAccountSecurityFacts(s.kv),
      noPassphraseMode: ctx.vault.insecureNoPassphrase,
      guessCostMs: ctx.vault.kdfStatus?.guessCpuMs,
      pinBackupAvailable: capabilitiesOf(ctx.config).pinBackup,
      screenSecurityAvailable: ctx.options.platform?.screenSecuritySupported ?? false,
    }).map((item) => ({
      id: item.id,
      title: item.title,
      status: item.status,
      advice: item.advice,
      autoFixable: item.recommendedPatch !== undefined,
      why: item.why,
    })),
    ...(changes ? { changes } : {}),
  });

  // The last apply's undo, bound to the session it ran in: a lock (a new session) drops it.
  let undo: { session: Session; patch: Parameters<typeof applySettingsPatch>[1] } | undefined;

  return {
    'audit.get': () => Promise.resolve(report(ctx.session())),
    'audit.applyRecommended': () => {
      const s = ctx.session();
      const before = s.settings.get();
      const next = s.settings.replace(applyRecommended({ ...before }));
      ctx.applyAutoLock(next);
      const changes = describeChanges(before, next);
      undo = changes.length > 0 ? { session: s, patch: revertPatch(before, changes) } : undefined;
      return Promise.resolve(report(s, changes));
    },
    'audit.undoRecommended': () => {
      const s = ctx.session();
      if (undo?.session !== s) throw new PreconditionError('There is no "Apply recommended" to undo.');
      const before = s.settings.get();
      const next = s.settings.replace(applySettingsPatch(before, undo.patch));
      undo = undefined;
      ctx.applyAutoLock(next);
      return Promise.resolve(report(s, describeChanges(before, next)));
    },
  } satisfies Partial<Handlers>;
}
