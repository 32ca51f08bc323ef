/**
 * Commands for our username and its link (Signal usernames: `nickname.discriminator`, hashed for the
 * server, which never sees the text). Library rule failures answer INVALID_INPUT with the rule (too short,
 * bad characters); a name someone else holds answers INVALID_INPUT "taken".
 */
import { z } from 'zod';
import { Empty } from '../models.js';
import {
  AccountDetailsSchema,
  UsernameLinkSchema,
  UsernameReservationSchema,
  UsernameReserveInputSchema,
  UsernameText,
} from '../models/account-extras.js';
import { command } from './command.js';

export const USERNAME_COMMANDS = {
  /** Hold a username for us (not yet ours): a chosen discriminator, or the first free random one. */
  'username.reserve': command(UsernameReserveInputSchema, UsernameReservationSchema),
  /**
   * Make the reserved username ours (with a zero-knowledge proof the server checks) and create its link.
   * PRECONDITION when it is not the one the server holds for us (reserve again).
   */
  'username.confirm': command(z.strictObject({ username: UsernameText }), AccountDetailsSchema),
  /** Give up our username; its link stops working. */
  'username.delete': command(Empty, AccountDetailsSchema),
  /** The link (and QR text) for our username; created when there is none. */
  'usernameLink.create': command(Empty, UsernameLinkSchema),
  /** A new link for our username: the old link and QR code stop working. */
  'usernameLink.reset': command(Empty, UsernameLinkSchema),
} as const;
