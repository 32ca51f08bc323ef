/**
 * The ONE contract between the UI and the core: every command (zod input + output schema) and every
 * event (zod payload schema) the renderer uses. PLATFORM-FREE: zod and types only, no Node imports —
 * the renderer, the Electron preload/IPC adapter (main/) and the web harness (e2e/harness) all import it.
 *
 * Shape of a call: `window.carapace.<namespace>.<method>(input)` → `Promise<ApiResult<output>>`, where
 * `<namespace>.<method>` is a key of COMMANDS. Secrets (passphrases, PINs) cross this boundary as strings
 * (JSON); the core service turns them into Buffers at once and zeroes them after use.
 *
 * The parts live in ./contract/: errors (codes and their sentences), models (the DTO schemas),
 * settings-view, commands, events and api-object (`window.carapace` and the harness wire format).
 * Everything is imported from this file.
 */
import { firstHttpsLink } from '../net/link-preview-rules.js';
import {
  AUTO_LOCK_SECONDS,
  DEFAULT_SETTINGS,
  DISAPPEARING_TIMER_SECONDS,
  durationLabel,
  parseSignalProxyLink,
  SIGNAL_TLS_PROXY_DEFAULT_PORT,
} from '../settings/schema.js';

// The settings schema is owned by src/settings (platform-free); re-exported so the UI imports src/api only.
export { AUTO_LOCK_SECONDS, DEFAULT_SETTINGS, DISAPPEARING_TIMER_SECONDS, durationLabel };
// The settings' proxy form reads pasted proxy links by the settings' own rule.
export { parseSignalProxyLink, SIGNAL_TLS_PROXY_DEFAULT_PORT };
export type { Settings } from '../settings/schema.js';
// The composer finds the link to preview by the same rule the core applies to what is sent.
export { firstHttpsLink };

export * from './contract/errors.js';
export * from './contract/models.js';
export * from './contract/settings-view.js';
export * from './contract/commands.js';
export * from './contract/events.js';
export * from './contract/api-object.js';
