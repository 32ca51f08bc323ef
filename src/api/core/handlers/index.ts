/**
 * The one handler map: every domain module's handlers merged. Typed as the total `Handlers`, so a
 * command of the contract without a handler (or with two spellings of one) does not compile.
 */
import type { CoreContext, Handlers } from '../context.js';
import { accountHandlers } from './account.js';
import { appHandlers } from './app.js';
import { attachmentHandlers } from './attachments.js';
import { auditHandlers } from './audit.js';
import { conversationHandlers } from './conversations.js';
import { groupHandlers } from './groups.js';
import { linkPreviewHandlers } from './link-preview.js';
import { messageHandlers } from './messages.js';
import { messageRecipientHandlers } from './message-recipients.js';
import { pinHandlers } from './pin.js';
import { profileHandlers } from './profile.js';
import { safetyNumberHandlers } from './safety-number.js';
import { settingsHandlers } from './settings.js';
import { usernameHandlers } from './username.js';
import { vaultHandlers } from './vault.js';
import { workshopHandlers } from './workshop.js';

export function createHandlers(ctx: CoreContext): Handlers {
  return {
    ...appHandlers(ctx),
    ...vaultHandlers(ctx),
    ...settingsHandlers(ctx),
    ...auditHandlers(ctx),
    ...accountHandlers(ctx),
    ...conversationHandlers(ctx),
    ...messageHandlers(ctx),
    ...attachmentHandlers(ctx),
    ...linkPreviewHandlers(ctx),
    ...safetyNumberHandlers(ctx),
    ...pinHandlers(ctx),
    ...profileHandlers(ctx),
    ...usernameHandlers(ctx),
    ...workshopHandlers(ctx),
    ...groupHandlers(ctx),
    ...messageRecipientHandlers(ctx),
  };
}
