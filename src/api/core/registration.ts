/**
 * Registering this device as a primary: registerWithRecovery runs in the background and asks us for the
 * verification code and, when the number has a registration lock (423), for the PIN. Each command of the
 * UI (captcha, code, PIN) hands its answer to the waiting flow and waits for the flow's next move.
 */
import { randomUUID } from 'node:crypto';
import type { AccountStatus, RegistrationStep } from '../contract.js';
import {
  PreconditionError,
  RegistrationLockedError,
  VerificationCodeError,
  WrongPinError,
  type CarapaceError,
} from '../../errors.js';
import { log } from '../../log.js';
import { readPhonePrivacy } from '../../account/own-profile.js';
import {
  registerWithRecovery,
  type PinPrompt,
  type RecoveryRegistrationResult,
} from '../../account/recovery-flow.js';
import type { Session } from './session.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A registration in progress (one per session). */
export interface PendingRegistration {
  readonly id: string;
  readonly e164: string;
  codeRequested: Deferred<number>;
  code?: Deferred<string>;
  pinRequested: Deferred<PinPrompt>;
  pin?: Deferred<string | null> | undefined;
  result?: Promise<RecoveryRegistrationResult>;
}

const restart = (): PreconditionError => new PreconditionError('Start the registration again.');

/** The error the UI gets while registration waits for the PIN (tries left after a wrong one). */
function pinNeeded(prompt: PinPrompt): CarapaceError {
  return prompt.triesRemaining !== undefined
    ? new WrongPinError(prompt.triesRemaining)
    : new RegistrationLockedError(prompt.timeRemainingMs);
}

export function startRegistration(s: Session, e164: string): RegistrationStep {
  s.endpoint(); // NOT_AVAILABLE at once when no Signal service is configured
  if (s.account) throw new PreconditionError('This device is already registered.');
  const id = randomUUID();
  s.registration = { id, e164, codeRequested: deferred(), pinRequested: deferred() };
  return { sessionId: id, next: 'captcha' };
}

export async function submitCaptcha(
  s: Session,
  sessionId: string,
  captcha: string,
): Promise<RegistrationStep> {
  const pending = s.registration;
  if (!pending || pending.id !== sessionId || pending.result) throw restart();
  pending.result = registerWithRecovery({
    ...s.endpoint(),
    stores: s.signalStores,
    kv: s.kv,
    settings: s.settings,
    messages: s.messages,
    number: pending.e164,
    captcha,
    discoverableByPhoneNumber: readPhonePrivacy(s.kv).discoverableByPhoneNumber,
    maxCodeAttempts: 5,
    getVerificationCode: (attempt) => {
      pending.code = deferred();
      pending.codeRequested.resolve(attempt);
      return pending.code.promise;
    },
    // 423: the number has a registration lock. The UI asks the user; each answer comes back here.
    askPin: (prompt) => {
      pending.pin = deferred();
      pending.pinRequested.resolve(prompt);
      return pending.pin.promise;
    },
  });
  // Never an unhandled rejection: every caller below races on this promise.
  pending.result.catch(() => undefined);
  // Either the server asks for the code, or the flow fails before that (bad captcha, network…).
  const outcome = await Promise.race([
    pending.codeRequested.promise.then(() => 'code' as const),
    pending.result.then(() => 'done' as const),
  ]).catch((error: unknown) => {
    s.registration = undefined;
    throw error;
  });
  return { sessionId, next: outcome };
}

export async function submitCode(
  s: Session,
  sessionId: string,
  code: string,
  pin: string | undefined,
): Promise<AccountStatus> {
  const pending = s.registration;
  if (!pending?.result || pending.id !== sessionId || !pending.code) throw restart();
  // Already past the code and waiting for the PIN: this is the PIN answer.
  if (pending.pin && pin !== undefined) return answerPin(s, pending, pin);
  // A wrong code makes the flow ask again: that is WRONG_VERIFICATION_CODE for the UI.
  pending.codeRequested = deferred();
  pending.code.resolve(code);
  const status = await advance(s, pending);
  if (status !== 'pin') return status;
  // The number is locked; a PIN given with the code answers at once.
  if (pin !== undefined) return answerPin(s, pending, pin);
  throw pinNeeded(await pending.pinRequested.promise);
}

export function submitPin(s: Session, sessionId: string, pin: string): Promise<AccountStatus> {
  const pending = s.registration;
  if (!pending?.result || pending.id !== sessionId || !pending.pin) throw restart();
  return answerPin(s, pending, pin);
}

/**
 * Waits for the background registration's next move: done (account saved, client started), the code
 * asked again (WRONG_VERIFICATION_CODE), or the PIN asked ('pin'). Other failures end the registration.
 */
async function advance(s: Session, pending: PendingRegistration): Promise<AccountStatus | 'pin'> {
  let outcome: { done: RecoveryRegistrationResult } | { again: true } | { pin: true };
  try {
    outcome = await Promise.race([
      pending.result!.then((done) => ({ done })),
      pending.codeRequested.promise.then(() => ({ again: true as const })),
      pending.pinRequested.promise.then(() => ({ pin: true as const })),
    ]);
  } catch (error) {
    if (s.registration === pending) s.registration = undefined;
    throw error;
  }
  if ('again' in outcome) throw new VerificationCodeError();
  if ('pin' in outcome) return 'pin';
  if (s.registration === pending) s.registration = undefined;
  const registered = outcome.done.account;
  s.saveAccount(registered);
  log.info('api.account.registered', {
    deviceId: registered.deviceId,
    recovered: outcome.done.recovered,
    accountData: outcome.done.accountData !== undefined,
  });
  void s.connection.start();
  return s.accountStatus();
}

/** Hands the PIN to the waiting registration; a wrong one → WRONG_PIN with the tries left. */
async function answerPin(s: Session, pending: PendingRegistration, pin: string): Promise<AccountStatus> {
  const waiting = pending.pin;
  if (!waiting) throw restart();
  pending.pin = undefined;
  pending.pinRequested = deferred();
  waiting.resolve(pin);
  const status = await advance(s, pending);
  if (status !== 'pin') return status;
  throw pinNeeded(await pending.pinRequested.promise);
}
