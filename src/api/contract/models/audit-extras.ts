/** The hardening report's additions: what "Apply recommended" (or its undo, or a workshop preset) changed. */
import { z } from 'zod';

/** One setting a change touched, said as the settings screen names it (`from` → `to`). */
export const SettingChangeSchema = z.object({
  key: z.string(),
  label: z.string(),
  from: z.string(),
  to: z.string(),
});
export type SettingChange = z.infer<typeof SettingChangeSchema>;
