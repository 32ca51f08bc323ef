/** Safety numbers: show one (and remember exactly what was shown), mark it verified or unverified. */
import { NotRegisteredError, PreconditionError } from '../../../errors.js';
import { markUnverified, markVerified, safetyNumberFor } from '../../../signal/safety-number.js';
import type { SafetyNumber as ApiSafetyNumber } from '../../contract.js';
import type { CoreContext, Handlers } from '../context.js';
import { verifiedState } from '../mappers.js';
import type { Session } from '../session.js';

function showSafetyNumber(s: Session, conversationId: string): ApiSafetyNumber {
  const conversation = s.conversation(conversationId);
  if (!s.account) throw new NotRegisteredError('Register this device to see safety numbers.');
  const number = safetyNumberFor(s.signalStores, conversation.serviceId);
  s.shownSafetyNumbers.set(conversationId, number);
  const identity = s.signalStores.aci.identity.getRemoteIdentity(conversation.serviceId);
  return {
    conversationId,
    digits: number.digits,
    groups: [...number.groups],
    qrPayloadBase64: Buffer.from(number.qrPayload).toString('base64'),
    verified: verifiedState(identity?.verified),
    changed: conversation.safetyNumberChanged,
  };
}

export function safetyNumberHandlers(ctx: CoreContext) {
  return {
    'safetyNumber.get': ({ conversationId }) =>
      Promise.resolve(showSafetyNumber(ctx.session(), conversationId)),
    'safetyNumber.setVerified': ({ conversationId, verified }) => {
      const s = ctx.session();
      const conversation = s.conversation(conversationId);
      if (verified) {
        const shown = s.shownSafetyNumbers.get(conversationId);
        if (!shown) throw new PreconditionError('Open the safety number before marking it verified.');
        if (!markVerified(s.signalStores, conversation.serviceId, shown)) {
          throw new PreconditionError('The safety number changed while it was shown. Compare it again.');
        }
        if (conversation.safetyNumberChanged) {
          s.messages.updateConversation(conversationId, { safetyNumberChanged: false });
        }
      } else {
        markUnverified(s.signalStores, conversation.serviceId);
      }
      return Promise.resolve(showSafetyNumber(s, conversationId));
    },
  } satisfies Partial<Handlers>;
}
