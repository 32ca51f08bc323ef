/**
 * The trainer's workshop: the "typical defaults" preset and back. Only where the configuration offers it
 * (`capabilitiesOf(config).workshop`: the demo network); elsewhere every command answers NOT_AVAILABLE.
 */
import { NotAvailableError, PreconditionError } from '../../../errors.js';
import { capabilitiesOf } from '../../../net/config.js';
import { TYPICAL_DEFAULTS } from '../../../settings/presets.js';
import { applySettingsPatch, type Settings } from '../../../settings/schema.js';
import { describeChanges, revertPatch } from '../../../settings/setting-changes.js';
import type { CoreContext, Handlers } from '../context.js';
import { sendPhotoToFriend } from '../workshop-metadata.js';
import { triggerScenario } from '../workshop-scenario.js';
import type { Session } from '../session.js';

export function workshopHandlers(ctx: CoreContext) {
  // The settings from before the preset, bound to the session: a lock ends the workshop state too.
  let kept: { session: Session; before: Settings } | undefined;

  const session = (): Session => {
    if (!capabilitiesOf(ctx.config).workshop) {
      throw new NotAvailableError('The workshop is available on the demo network only.');
    }
    const s = ctx.session();
    if (kept?.session !== s) kept = undefined;
    return s;
  };

  /** Replaces the settings with `next`, applies the auto-lock, and says what changed. */
  const switchTo = (s: Session, next: Settings) => {
    const before = s.settings.get();
    const saved = s.settings.replace(next);
    ctx.applyAutoLock(saved);
    return describeChanges(before, saved);
  };

  return {
    'workshop.status': () => {
      session();
      return Promise.resolve({ typicalDefaults: kept !== undefined, changes: [] });
    },
    'workshop.typicalDefaults': () => {
      const s = session();
      if (kept) throw new PreconditionError('The typical defaults are on already.');
      const before = { ...s.settings.get() };
      const changes = switchTo(s, applySettingsPatch(before, TYPICAL_DEFAULTS));
      kept = { session: s, before };
      return Promise.resolve({ typicalDefaults: true, changes });
    },
    'workshop.restore': () => {
      const s = session();
      if (!kept) throw new PreconditionError('There are no kept settings to restore.');
      const now = s.settings.get();
      const preset = describeChanges(kept.before, applySettingsPatch(kept.before, TYPICAL_DEFAULTS));
      // Only the settings the preset changed go back; one changed by hand since then stays as it is.
      const changes = switchTo(s, applySettingsPatch(now, revertPatch(kept.before, preset)));
      kept = undefined;
      return Promise.resolve({ typicalDefaults: false, changes });
    },
    'workshop.metadataDemo': () => sendPhotoToFriend(ctx, session()),
    'workshop.trigger': async ({ scenario }) => ({
      contact: await triggerScenario(session().needClient().accountRequest, scenario),
    }),
  } satisfies Partial<Handlers>;
}
