/**
 * The trainer's workshop (demo network only; NOT_AVAILABLE elsewhere): switch the profile to the settings a
 * typical messenger ships with, show the hardening report before/after to a room, and switch back.
 */
import { z } from 'zod';
import { Empty } from '../models.js';
import { SettingChangeSchema } from '../models/audit-extras.js';
import { command } from './command.js';

const WorkshopStateSchema = z.object({
  /** True while the "typical defaults" preset is on (the settings from before are kept to restore). */
  typicalDefaults: z.boolean(),
  /** What the last switch changed, setting by setting. */
  changes: z.array(SettingChangeSchema),
});

export const WORKSHOP_COMMANDS = {
  'workshop.status': command(Empty, WorkshopStateSchema),
  /** Keeps the current settings and applies the preset; PRECONDITION when it is on already. */
  'workshop.typicalDefaults': command(Empty, WorkshopStateSchema),
  /** Puts back the settings kept by `workshop.typicalDefaults`; PRECONDITION when there are none. */
  'workshop.restore': command(Empty, WorkshopStateSchema),
} as const;
