/**
 * The Signal PIN: policy check and generator (local), setting it (key backup + registration lock on the
 * service, through the session's route), and the periodic reminder.
 */
import { WeakPinError } from '../../../errors.js';
import { collectAccountData } from '../../../account/account-backup.js';
import {
  requirePinBackup,
  requireRegistrationLock,
  requesterJsonSend,
  type JsonSend,
} from '../../../account/key-backup-client.js';
import { checkPin, generateStrongPin } from '../../../account/pin-policy.js';
import { PinReminder } from '../../../account/pin-reminder.js';
import { readAccountSecurityFacts } from '../../../account/pin-service.js';
import { enablePinAndRegistrationLock, setRegistrationLock } from '../../../account/recovery-flow.js';
import type { CoreContext, Handlers } from '../context.js';
import type { Session } from '../session.js';

/**
 * The running client's authenticated socket. The server keeps one socket per device, so a socket of our
 * own next to the client's would displace it: a client still starting is waited for (or started now), and
 * only when none can run does the call open its own.
 */
async function clientSend(s: Session): Promise<{ send: JsonSend } | Record<string, never>> {
  if (!s.client) await s.connection.start();
  const client = s.client;
  return client ? { send: requesterJsonSend(client.accountRequest) } : {};
}

export function pinHandlers(ctx: CoreContext) {
  const { clock } = ctx;
  return {
    'pin.check': ({ pin }) => {
      const check = checkPin(pin);
      return Promise.resolve({ verdict: check.verdict, bits: check.bits, reasons: [...check.reasons] });
    },
    'pin.generate': () => Promise.resolve({ pin: generateStrongPin() }),
    'pin.set': async ({ pin, acceptWeak }) => {
      const s = ctx.session();
      // The policy first, locally: a refused or unconfirmed weak PIN never reaches the network.
      const check = checkPin(pin);
      if (check.verdict === 'refused' || (check.verdict === 'weak-needs-confirmation' && !acceptWeak)) {
        throw new WeakPinError(check.reasons.join(' '));
      }
      const login = s.login();
      const endpoint = s.endpoint();
      requirePinBackup(endpoint.config); // NOT_AVAILABLE before the client is even started
      const send = await clientSend(s);
      await s.exclusive(() =>
        enablePinAndRegistrationLock({
          ...endpoint,
          ...send,
          login,
          kv: s.kv,
          pin,
          ...(acceptWeak ? { acceptWeak: true } : {}),
          // Changing the PIN keeps the master key, so an enabled lock stays valid; never turned on here.
          registrationLock: readAccountSecurityFacts(s.kv).registrationLock,
          // The identity keys, contacts and settings, encrypted under the PIN-protected master key: what
          // a re-registration with the PIN restores (never messages).
          accountData: collectAccountData({
            stores: s.signalStores,
            profile: { givenName: '' },
            settings: s.settings,
            messages: s.messages,
          }),
          now: clock,
        }),
      );
      return s.accountStatus();
    },
    'registrationLock.set': async ({ enabled }) => {
      const s = ctx.session();
      const login = s.login();
      const endpoint = s.endpoint();
      requireRegistrationLock(endpoint.config);
      const send = await clientSend(s);
      await s.exclusive(() => setRegistrationLock({ ...endpoint, ...send, login, kv: s.kv, enabled }));
      return s.accountStatus();
    },
    'pin.reminderStatus': () => {
      const status = new PinReminder(ctx.session().kv, { now: clock }).status();
      return Promise.resolve({
        pinSet: status.pinSet,
        remindersEnabled: status.remindersEnabled,
        due: status.due,
        nextDueAt: status.nextDueAt ?? null,
        intervalMs: status.intervalMs ?? null,
      });
    },
    'pin.answerReminder': async ({ pin }) => {
      const s = ctx.session();
      const answer = await s.exclusive(() =>
        Promise.resolve(new PinReminder(s.kv, { now: clock }).answer(pin)),
      );
      return { ...answer };
    },
  } satisfies Partial<Handlers>;
}
