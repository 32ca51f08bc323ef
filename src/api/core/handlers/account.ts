/** The account's status and the registration steps (captcha → code → PIN when the number is locked). */
import type { CoreContext, Handlers } from '../context.js';
import { startRegistration, submitCaptcha, submitCode, submitPin } from '../registration.js';

export function accountHandlers(ctx: CoreContext) {
  return {
    'account.status': () => Promise.resolve(ctx.session().accountStatus()),
    'account.startRegistration': ({ e164 }) => Promise.resolve(startRegistration(ctx.session(), e164)),
    'account.submitCaptcha': ({ sessionId, captcha }) => submitCaptcha(ctx.session(), sessionId, captcha),
    'account.submitCode': ({ sessionId, code, pin }) => submitCode(ctx.session(), sessionId, code, pin),
    'account.submitPin': ({ sessionId, pin }) => submitPin(ctx.session(), sessionId, pin),
  } satisfies Partial<Handlers>;
}
