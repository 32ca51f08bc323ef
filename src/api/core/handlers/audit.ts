/** The hardening report: which settings match the Signal hardening guides, and "apply recommended". */
import { applyRecommended, auditSettings } from '../../../settings/audit.js';
import { readAccountSecurityFacts } from '../../../account/pin-service.js';
import { capabilitiesOf } from '../../../net/config.js';
import type { AuditReport } from '../../contract.js';
import type { CoreContext, Handlers } from '../context.js';
import type { Session } from '../session.js';

export function auditHandlers(ctx: CoreContext) {
  const report = (s: Session): AuditReport => ({
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
    })),
  });

  return {
    'audit.get': () => Promise.resolve(report(ctx.session())),
    'audit.applyRecommended': () => {
      const s = ctx.session();
      const next = s.settings.replace(applyRecommended({ ...s.settings.get() }));
      ctx.applyAutoLock(next);
      return Promise.resolve(report(s));
    },
  } satisfies Partial<Handlers>;
}
