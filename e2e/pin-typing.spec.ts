import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ERROR_EXPLANATIONS } from '../src/api/contract.js';
import { TEST_KDF } from '../src/test-support/vault.js';
import { cspViolations, expect, snap, test } from './fixtures.js';
import { startHarness } from './harness/server.js';
import { createProfile, lock, register, startChat, unlock } from './support/flows.js';
import { demoNumber } from './support/chat-with-contact.js';

const PASS = 'amber lantern 48 river stone';
const HOUR = 3_600_000;

test.use({ demoNetwork: true });

test('a contact’s typing indicator shows in the conversation header and goes away', async ({ app, demo }) => {
  const { page } = app;
  const gus = await demo!.createContact('Gus');
  await createProfile(page, PASS);
  await register(page, demoNumber());
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 20_000 });
  await startChat(page, gus.aci, 'Gus');

  const account = await app.service().call('account.status', {});
  if (!account.ok || !account.value.aci) throw new Error('not registered');
  const ours = await gus.ensureSession(account.value.aci);
  await gus.device.sendText(ours, 'hi there', { sealed: false });
  await expect(page.getByRole('log', { name: 'Messages with Gus' }).getByText('hi there')).toBeVisible({
    timeout: 20_000,
  });

  const indicator = page.getByRole('status', { name: 'Typing indicator' });
  await expect(indicator).toHaveText('');
  const typing = (action: 0 | 1) =>
    gus.device.sendRaw(ours, {
      content: { typingMessage: { timestamp: BigInt(Date.now()), action, groupId: null } },
    } as never);
  await typing(0);
  await expect(indicator).toHaveText('Gus is typing…', { timeout: 20_000 });
  await snap(page, 'typing-indicator');
  await typing(1);
  await expect(indicator).toHaveText('');

  // Typing again, then the message arrives: the indicator clears with it.
  await typing(0);
  await expect(indicator).toHaveText('Gus is typing…', { timeout: 20_000 });
  await gus.device.sendText(ours, 'done typing', { sealed: false });
  await expect(page.getByRole('log', { name: 'Messages with Gus' }).getByText('done typing')).toBeVisible({
    timeout: 20_000,
  });
  await expect(indicator).toHaveText('');

  // Our own typing goes out without errors (nothing is stored, nothing is shown to us).
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill('thinking…');
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('PIN + registration lock; a due reminder asks for it; a NEW profile recovers the account with it', async ({
  app,
  demo,
  clock,
  profileDir,
}) => {
  test.setTimeout(90_000);
  const { page } = app;
  const number = demoNumber();
  const gus = await demo!.createContact('Gus');
  await createProfile(page, PASS);
  await register(page, number);
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 20_000 });
  await startChat(page, gus.aci, 'Gus');
  const account = await app.service().call('account.status', {});
  if (!account.ok || !account.value.aci) throw new Error('not registered');
  const ours = await gus.ensureSession(account.value.aci);
  await gus.device.sendText(ours, 'remember me', { sealed: false });
  await expect(page.getByRole('log', { name: 'Messages with Gus' }).getByText('remember me')).toBeVisible({
    timeout: 20_000,
  });
  await page.getByRole('button', { name: 'Safety number' }).click();
  const digits = page.getByLabel('Safety number digits');
  await expect(digits).toBeVisible();
  const oldDigits = (await digits.innerText()).replace(/\D/g, '');
  expect(oldDigits).toMatch(/^\d{60}$/);

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const pinInput = page.getByLabel('New PIN');
  // A refused PIN cannot be submitted, and the reason is spelled out.
  await pinInput.fill('1234');
  await expect(page.getByText(/This PIN is refused/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Set PIN' })).toBeDisabled();
  const lockBox = page.getByLabel(/Registration lock/);
  await expect(lockBox).toBeDisabled();

  await page.getByRole('button', { name: 'Generate strong PIN' }).click();
  await expect(page.getByText(/Strong PIN \(about \d+ bits\)/)).toBeVisible();
  const pin = await pinInput.inputValue();
  expect(pin.length).toBeGreaterThanOrEqual(16);
  await page.getByRole('button', { name: 'Set PIN' }).click();
  // The confirm step: typed again, and written down (issue 17: safer secret entry).
  await page.getByLabel('Repeat the PIN').fill(pin);
  await page.getByLabel('I have written this PIN down somewhere safe').check();
  await page.getByRole('button', { name: 'Save PIN' }).click();
  await expect(page.getByText('PIN saved.')).toBeVisible({ timeout: 20_000 });
  await expect(pinInput).toHaveValue('');

  await lockBox.click();
  await expect(lockBox).toBeChecked();
  expect(demo!.server.svr.svr.registrationLock.isLocked(number)).toBe(true);
  // Nothing of the PIN stays in the page.
  expect(await page.content()).not.toContain(pin);

  await page.getByRole('button', { name: 'Hardening report' }).click();
  const item = (id: string) => page.locator(`[data-audit-id="${id}"]`);
  await expect(item('pin-set')).toHaveClass(/ok/);
  await expect(item('pin-strength')).toHaveClass(/ok/);
  await expect(item('registration-lock')).toHaveClass(/ok/);
  await snap(page, 'pin-hardening');

  // No reminder right after setting it; 13 hours later one is due (checked on unlock).
  const reminder = page.getByRole('region', { name: 'PIN reminder' });
  await expect(reminder).toHaveCount(0);
  clock.advance(13 * HOUR);
  await lock(page);
  await unlock(page, PASS);
  await expect(reminder).toBeVisible();
  await snap(page, 'pin-reminder');
  await reminder.getByLabel('Your Signal PIN').fill('not-my-pin');
  await reminder.getByRole('button', { name: 'Check PIN' }).click();
  await expect(
    reminder.getByText(/That is not your PIN. You will be reminded sooner \(in 12 hours\)/),
  ).toBeVisible();
  await reminder.getByRole('button', { name: 'Close' }).click();
  await expect(reminder).toHaveCount(0);
  clock.advance(13 * HOUR);
  await lock(page);
  await unlock(page, PASS);
  await reminder.getByLabel('Your Signal PIN').fill(pin);
  await reminder.getByRole('button', { name: 'Check PIN' }).click();
  await expect(reminder.getByText('That is your PIN. Next reminder in 1 day.')).toBeVisible();

  // A NEW profile (another computer) registers the same number: the lock asks for the PIN.
  const newProfile = join(dirname(profileDir), 'new-profile');
  mkdirSync(newProfile, { mode: 0o700 });
  const other = await startHarness({ profileDir: newProfile, demoNetwork: demo!, vault: { kdf: TEST_KDF } });
  const page2 = await page.context().newPage();
  try {
    await page2.goto(other.url);
    await createProfile(page2, PASS);
    await page2.getByRole('button', { name: 'Register' }).click();
    await page2.getByLabel('Phone number', { exact: true }).fill(number);
    await page2.getByRole('button', { name: 'Continue' }).click();
    await page2.getByLabel('Captcha token').fill('demo-captcha-token');
    await page2.getByRole('button', { name: 'Continue' }).click();
    await page2.getByLabel('Verification code (6 digits)').fill('111111');
    await page2.getByRole('button', { name: 'Register', exact: true }).last().click();
    await expect(page2.getByText(ERROR_EXPLANATIONS.REGISTRATION_LOCKED)).toBeVisible({ timeout: 20_000 });
    const pinField = page2.getByLabel('Signal PIN', { exact: true });
    await pinField.fill('definitely wrong 1');
    await page2.getByRole('button', { name: 'Unlock with PIN' }).click();
    await expect(page2.getByTestId('pin-tries')).toHaveText('Tries remaining: 9', { timeout: 20_000 });
    await snap(page2, 'recovery-pin-prompt');
    await pinField.fill(pin);
    await page2.getByRole('button', { name: 'Unlock with PIN' }).click();
    await expect(page2.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 20_000 });

    // The contact and the identity came back: the safety number with Gus is the same digits.
    await page2.getByRole('button', { name: /Gus/ }).click();
    await page2.getByRole('button', { name: 'Safety number' }).click();
    const digits2 = page2.getByLabel('Safety number digits');
    await expect(digits2).toBeVisible();
    expect((await digits2.innerText()).replace(/\D/g, '')).toBe(oldDigits);
    await snap(page2, 'recovery-safety-number');
    expect(await cspViolations(page2)).toEqual([]);
  } finally {
    await page2.close();
    await other.close();
  }
});
