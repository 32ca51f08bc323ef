/** Commands for app and network. */
import { EVENTS } from '../events.js';
import { AppInfoSchema, Empty } from '../models.js';
import { command } from './command.js';

export const APP_COMMANDS = {
  'app.info': command(Empty, AppInfoSchema),
  /**
   * The connection state now (the `network.status` event's payload): a window that opens while connected
   * would otherwise show "offline" until the next change. "offline" while locked.
   */
  'network.status': command(Empty, EVENTS['network.status']),
} as const;
