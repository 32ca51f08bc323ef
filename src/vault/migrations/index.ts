import { migration0001 } from './0001-initial.js';
import { migration0002 } from './0002-signal-stores.js';
import { migration0003 } from './0003-account-settings.js';
import { migration0004 } from './0004-messaging.js';
import { migration0005 } from './0005-attachments.js';
import { migration0006 } from './0006-message-attachments.js';
import { migration0007 } from './0007-message-previews.js';
import { migration0008 } from './0008-message-meaning.js';
import { migration0009 } from './0009-indexes.js';
import { migration0010 } from './0010-groups.js';
import { migration0011 } from './0011-group-send.js';
import { migration0012 } from './0012-delivery-keys.js';
import { migration0013 } from './0013-pending-sends.js';
import type { Migration } from './types.js';

/** Every schema step, in order. Append only; each owner fills its own slot. */
export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013,
];
