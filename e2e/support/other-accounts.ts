/**
 * The OTHER side of issue 16's specs: a second Carapace account on the same demo network, either a second
 * app (its own profile, harness and browser page, driven through its UI like the first) or a bare core
 * service (for specs that only need someone to exist with a username and a link).
 */
import { randomInt } from 'node:crypto';
import type { Browser, Page } from '@playwright/test';
import type { DemoNetwork } from '../../src/demo/network.js';
import { createTestCore, registerThroughService } from '../../src/api/test-support/core.js';
import { value } from '../../src/api/test-support/events.js';
import { createTestProfile, TEST_KDF } from '../../src/test-support/vault.js';
import { startHarness } from '../harness/server.js';

/** A fresh number on the demo network (the mock accepts any; the code is always 111111). */
export function demoNumber(): string {
  return `+1555${String(randomInt(1_000_000, 9_999_999))}`;
}

export interface SecondApp {
  readonly page: Page;
  close(): Promise<void>;
}

/** A second Carapace app (new profile, harness and browser context) on `demo`, showing its first run. */
export async function openSecondApp(browser: Browser, demo: DemoNetwork): Promise<SecondApp> {
  const profile = createTestProfile();
  const harness = await startHarness({
    profileDir: profile.dir,
    demoNetwork: demo,
    vault: { kdf: TEST_KDF },
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(harness.url);
  return {
    page,
    async close() {
      await context.close();
      await harness.close();
      profile.dispose();
    },
  };
}

export interface CoreAccount {
  readonly username: string;
  readonly usernameLink: string;
  dispose(): Promise<void>;
}

/** A registered Carapace core (no UI) with a confirmed username, its link and a profile name. */
export async function coreAccountWithUsername(
  demo: DemoNetwork,
  nickname: string,
  givenName: string,
): Promise<CoreAccount> {
  const core = createTestCore({ networkConfig: demo.config });
  try {
    const { service } = core;
    await value(service.call('vault.create', { passphrase: 'other side 42 of the demo' }));
    await registerThroughService(service, demoNumber());
    await value(service.call('profile.set', { givenName }));
    const held = await value(service.call('username.reserve', { nickname }));
    const details = await value(service.call('username.confirm', { username: held.username }));
    const usernameLink = details.usernameLink ?? (await value(service.call('usernameLink.create', {}))).url;
    return { username: held.username, usernameLink, dispose: () => core.dispose() };
  } catch (error) {
    await core.dispose();
    throw error;
  }
}
