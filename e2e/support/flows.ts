/** UI flows shared by specs (they act only through the page, like a user). */
import { expect, type Page } from '@playwright/test';

export async function createProfile(page: Page, passphrase: string): Promise<void> {
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('Repeat passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Create encrypted profile' }).click();
  await expect(page.getByRole('button', { name: 'Lock Carapace now' })).toBeVisible({ timeout: 30_000 });
}

export async function unlock(page: Page, passphrase: string): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Carapace is locked' })).toBeVisible();
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('button', { name: 'Lock Carapace now' })).toBeVisible({ timeout: 30_000 });
}

export async function lock(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Lock Carapace now' }).click();
  await expect(page.getByRole('heading', { name: 'Carapace is locked' })).toBeVisible();
}

/** Registration on the demo network: phone → captcha → code (the mock's code is 111111). */
export async function register(page: Page, number: string): Promise<void> {
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByLabel('Phone number', { exact: true }).fill(number);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Captcha token').fill('demo-captcha-token');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Verification code (6 digits)').fill('111111');
  await page.getByRole('button', { name: 'Register', exact: true }).last().click();
  await expect(page.getByRole('button', { name: 'Register' })).toHaveCount(0);
}

export async function startChat(page: Page, serviceId: string, name: string): Promise<void> {
  await page.getByLabel('New chat', { exact: true }).fill(serviceId);
  await page.getByLabel('Name (optional, kept only on this computer)').fill(name);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
}

export async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}
