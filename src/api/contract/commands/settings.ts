/** Commands for settings and the hardening report. */
import { z } from 'zod';
import { SettingsUpdateSchema, SettingsViewSchema } from '../settings-view.js';
import { AuditReportSchema, Empty } from '../models.js';
import { command } from './command.js';

export const SETTINGS_COMMANDS = {
  'settings.get': command(Empty, SettingsViewSchema),
  'settings.update': command(z.strictObject({ patch: SettingsUpdateSchema }), SettingsViewSchema),

  'audit.get': command(Empty, AuditReportSchema),
  'audit.applyRecommended': command(Empty, AuditReportSchema),
} as const;
