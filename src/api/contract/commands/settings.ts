/** Commands for settings and the hardening report. */
import { z } from 'zod';
import { SettingsUpdateSchema, SettingsViewSchema } from '../settings-view.js';
import { AuditReportSchema, Empty } from '../models.js';
import { command } from './command.js';

export const SETTINGS_COMMANDS = {
  'settings.get': command(Empty, SettingsViewSchema),
  'settings.update': command(z.strictObject({ patch: SettingsUpdateSchema }), SettingsViewSchema),

  'audit.get': command(Empty, AuditReportSchema),
  /** Applies what needs no input; the answer's `changes` lists exactly what changed (undo puts it back). */
  'audit.applyRecommended': command(Empty, AuditReportSchema),
  /**
   * Puts back the settings the last "apply recommended" of this session changed; `changes` says what.
   * PRECONDITION when there is nothing to undo (none applied, already undone, or locked since).
   */
  'audit.undoRecommended': command(Empty, AuditReportSchema),
} as const;
