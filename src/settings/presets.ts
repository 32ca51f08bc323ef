/**
 * The workshop's "typical defaults": what a mainstream messenger ships with, so a trainer can show each
 * protection off and then on. Never applied outside the workshop (demo network only).
 */
import type { SettingsPatch } from './schema.js';

export const TYPICAL_DEFAULTS: Readonly<SettingsPatch> = Object.freeze({
  disappearingDefaultSeconds: 0,
  autoLockSeconds: 0,
  lockOnSuspend: false,
  linkPreviews: true,
  notificationPrivacy: 'name-and-message',
  screenSecurity: false,
  blockUnknownSenders: 'off',
});
