/**
 * `conversations.start`: whom to chat with, named by username, username link, phone number (with
 * consent, where this build can look numbers up) or Signal ID. Each way answers one typed error when it
 * cannot (NOT_FOUND, NOT_AVAILABLE, INVALID_INPUT with the library's rule); the conversation is created
 * only for a found ACI.
 */
import type { Conversation as ApiConversation } from '../contract.js';
import { assertPhoneLookupAllowed, lookUpPhoneNumber } from '../../account/phone-directory.js';
import type { CoreContext, Handler } from './context.js';
import { withUsernames } from './username-access.js';

type StartInput = Parameters<Handler<'conversations.start'>>[0];

/** The ACI named by the input, and the username that found it (kept as the title's fallback). */
async function whoIs(ctx: CoreContext, input: StartInput): Promise<{ aci: string; username?: string }> {
  const s = ctx.session();
  if ('serviceId' in input) return { aci: input.serviceId };
  if ('username' in input) {
    return withUsernames(s, (u) => u.findByUsername(input.username), { authenticated: false });
  }
  if ('usernameLink' in input) {
    return withUsernames(s, (u) => u.findByLink(input.usernameLink), { authenticated: false });
  }
  assertPhoneLookupAllowed(ctx.config, input.lookupConsent === true);
  return { aci: await lookUpPhoneNumber(s.needClient().accountRequest, input.e164) };
}

export async function startConversation(ctx: CoreContext, input: StartInput): Promise<ApiConversation> {
  const found = await whoIs(ctx, input);
  const serviceId = found.aci.toLowerCase();
  const s = ctx.session();
  const name = 'name' in input ? input.name : undefined;
  const conversation =
    s.messages.findConversationByServiceId(serviceId) ??
    s.messages.getOrCreateConversation(serviceId, {
      isContact: true,
      acceptedAt: ctx.clock(),
      ...(name ? { profileName: name } : {}),
    });
  const { username } = found;
  if (username) {
    await s.exclusive(() => Promise.resolve(s.contactUsernames.remember(conversation.id, username)));
  }
  return s.apiConversation(conversation);
}
