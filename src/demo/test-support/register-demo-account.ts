/** Test and bench support: a fresh primary account on the demo network, registered the way the app does. */
import { randomInt } from 'node:crypto';
import { registerPrimary, type RegisteredAccount } from '../../account/registration.js';
import type { SocketOpener } from '../../net/socket-opener.js';
import { directSocketOpener } from '../../net/direct-opener.js';
import type { SignalProtocolStores } from '../../signal/stores/index.js';
import type { DemoNetwork } from '../network.js';

/** The mock server's fixed verification code. */
const DEMO_VERIFICATION_CODE = '111111';

/** A random, well-formed number for a demo account (the mock sends no SMS). */
export function randomDemoNumber(): string {
  return `+1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
}

/**
 * Registers a new primary account on the demo network through the real verification-session flow
 * (captcha step, the mock's code 111111), with keys generated into `stores`.
 */
export async function registerDemoAccount(
  network: Pick<DemoNetwork, 'config'>,
  stores: SignalProtocolStores,
  options: {
    number?: string;
    openSocket?: SocketOpener;
    oneTimePreKeyCount?: number;
    profileKey?: Uint8Array;
  } = {},
): Promise<RegisteredAccount> {
  return registerPrimary({
    config: network.config,
    openSocket: options.openSocket ?? directSocketOpener,
    stores,
    number: options.number ?? randomDemoNumber(),
    captcha: 'demo-captcha',
    getVerificationCode: () => Promise.resolve(DEMO_VERIFICATION_CODE),
    ...(options.oneTimePreKeyCount !== undefined ? { oneTimePreKeyCount: options.oneTimePreKeyCount } : {}),
    ...(options.profileKey ? { profileKey: options.profileKey } : {}),
  });
}
