/** Settings as the UI sees and changes them (the proxy password is write-only). */
import { z } from 'zod';
import {
  proxySettingSchema,
  settingsPatchSchema as SettingsPatchSchema,
  settingsSchema as SettingsSchema,
  type Settings,
} from '../../settings/schema.js';

// Settings as the UI sees and changes them. The proxy password is write-only: it stays in the core (the
// renderer's heap is the least trusted place we have), the view only says whether one is stored.

const Socks5ViewSchema = z.strictObject({
  mode: z.literal('socks5'),
  host: z.string(),
  port: z.number().int(),
  username: z.string().optional(),
  hasPassword: z.boolean(),
});
/** Every other proxy mode is shown as stored (none of them holds a secret); a socks5 one never passes here. */
const ProxyViewSchema = z.union([
  Socks5ViewSchema,
  proxySettingSchema.refine(
    (proxy) => proxy.mode !== 'socks5',
    'A SOCKS5 proxy is shown without its password.',
  ),
]);
export type ProxyView = z.infer<typeof ProxyViewSchema>;
export const SettingsViewSchema = SettingsSchema.extend({ proxy: ProxyViewSchema });
export type SettingsView = z.infer<typeof SettingsViewSchema>;

/** The settings without the proxy password. */
export function settingsView(settings: Readonly<Settings>): SettingsView {
  const { proxy } = settings;
  if (proxy.mode !== 'socks5') return { ...settings, proxy: { ...proxy } };
  const { password, ...shown } = proxy;
  return { ...settings, proxy: { ...shown, hasPassword: password !== undefined } };
}

/**
 * A proxy in a settings patch: as stored, except that for SOCKS5 `password: null` removes the stored
 * password and leaving it out keeps it (only for the same host, port and username — see the handler).
 */
const ProxyPatchSchema = z.union([
  proxySettingSchema,
  z
    .strictObject({
      mode: z.literal('socks5'),
      host: z.string(),
      port: z.number(),
      username: z.string().optional(),
      password: z.null(),
    })
    .superRefine(({ password: _cleared, ...rest }, ctx) => {
      // The same rule as every stored proxy (src/settings/schema.ts), without the password.
      for (const issue of proxySettingSchema.safeParse(rest).error?.issues ?? []) {
        ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      }
    }),
]);
export const SettingsUpdateSchema = SettingsPatchSchema.extend({ proxy: ProxyPatchSchema.optional() });
export type SettingsUpdate = z.infer<typeof SettingsUpdateSchema>;
/** What a SOCKS5 proxy in a patch may carry beyond a stored one: `password: null`. */
export type ProxyPatch = NonNullable<SettingsUpdate['proxy']>;
