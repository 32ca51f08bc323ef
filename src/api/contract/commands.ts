/**
 * Every command: name → { input, output } zod schemas; the name is `<namespace>.<method>`. One file per
 * domain in ./commands/ (mirroring src/api/core/handlers/); merged here into the one map.
 */
import type { z } from 'zod';
import { APP_COMMANDS } from './commands/app.js';
import { VAULT_COMMANDS } from './commands/vault.js';
import { SETTINGS_COMMANDS } from './commands/settings.js';
import { ACCOUNT_COMMANDS } from './commands/account.js';
import { CONVERSATIONS_COMMANDS } from './commands/conversations.js';
import { MESSAGES_COMMANDS } from './commands/messages.js';
import { ATTACHMENTS_COMMANDS } from './commands/attachments.js';
import { USERNAME_COMMANDS } from './commands/username.js';
import { WORKSHOP_COMMANDS } from './commands/workshop.js';
import { GROUPS_COMMANDS } from './commands/groups.js';
import { MESSAGE_RECIPIENTS_COMMANDS } from './commands/message-recipients.js';

export const COMMANDS = {
  ...APP_COMMANDS,
  ...VAULT_COMMANDS,
  ...SETTINGS_COMMANDS,
  ...ACCOUNT_COMMANDS,
  ...CONVERSATIONS_COMMANDS,
  ...MESSAGES_COMMANDS,
  ...ATTACHMENTS_COMMANDS,
  ...USERNAME_COMMANDS,
  ...WORKSHOP_COMMANDS,
  ...GROUPS_COMMANDS,
  ...MESSAGE_RECIPIENTS_COMMANDS,
} as const;

export type CommandName = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];
export type CommandInput<N extends CommandName> = z.input<(typeof COMMANDS)[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<(typeof COMMANDS)[N]['output']>;

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(COMMANDS, value);
}
