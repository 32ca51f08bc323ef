/**
 * Each member's state of one of our group messages (issue 15): sent (the server accepted it for them),
 * delivered, read, viewed (their receipts) or failed. Empty for a 1:1 message or one we received.
 */
import { z } from 'zod';
import { Id } from '../models.js';
import { command } from './command.js';

export const MESSAGE_RECIPIENTS_COMMANDS = {
  'messages.recipients': command(
    z.strictObject({ messageId: Id }),
    z.array(
      z.object({
        serviceId: z.string(),
        name: z.string(),
        status: z.enum(['sent', 'delivered', 'read', 'viewed', 'failed']),
      }),
    ),
  ),
} as const;
