/**
 * "Open the setting" from the hardening report: go to Settings and put the keyboard focus on the control
 * (found by its visible label, the same words a person looks for), else on the section's heading.
 */
import { navigate } from '../bridge.js';

export interface SettingTarget {
  /** The start of the control's label text. */
  readonly label?: string;
  /** The id of the section heading to fall back to. */
  readonly headingId: string;
}

const TRIES = 40;
const TRY_EVERY_MS = 50;

function findControl(target: SettingTarget): HTMLElement | null {
  if (target.label) {
    for (const label of document.querySelectorAll('label')) {
      const control = label.control;
      if (label.textContent.trim().startsWith(target.label) && control && !control.hasAttribute('disabled')) {
        return control;
      }
    }
  }
  const heading = document.getElementById(target.headingId);
  if (heading) heading.tabIndex = -1;
  return heading;
}

export function openSetting(target: SettingTarget): void {
  navigate({ name: 'settings' });
  // The settings screen renders after the navigation (and may still be loading): look until it is there.
  let tries = 0;
  const look = () => {
    const element = findControl(target);
    if (element) {
      element.scrollIntoView({ block: 'center' });
      element.focus();
    } else if (++tries < TRIES) setTimeout(look, TRY_EVERY_MS);
  };
  setTimeout(look, 0);
}
