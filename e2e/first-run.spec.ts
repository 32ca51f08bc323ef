import { randomUUID } from 'node:crypto';
import { expect, snap, test } from './fixtures.js';
import { seedConversation } from './support/seed.js';

const PASS = 'amber falcon quietly 47 rivers';

// The real Argon2 parameters once, end to end.
test.use({ fastKdf: false });

test('first run → passphrase → lock clears the UI → unlock → history back', async ({ app, profileDir }) => {
  const { page } = app;
  await expect(page.getByRole('heading', { name: 'Welcome to Carapace' })).toBeVisible();

  // A weak passphrase cannot be submitted; the meter says why.
  await page.getByLabel('Passphrase', { exact: true }).fill('password1');
  await page.getByLabel('Repeat passphrase').fill('password1');
  await expect(page.getByText(/Strength: too weak/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create encrypted profile' })).toBeDisabled();

  await page.getByLabel('Passphrase', { exact: true }).fill(PASS);
  await page.getByLabel('Repeat passphrase').fill(PASS);
  await expect(page.getByText(/Strength: (strong|very strong)/)).toBeVisible();
  await snap(page, 'first-run');
  await page.getByRole('button', { name: 'Create encrypted profile' }).click();
  await expect(page.getByRole('button', { name: 'Lock Carapace now' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('No conversations yet.')).toBeVisible();

  // Lock, then put a conversation into the profile the way the receive pipeline stores one.
  await page.getByRole('button', { name: 'Lock Carapace now' }).click();
  await expect(page.getByRole('heading', { name: 'Carapace is locked' })).toBeVisible();
  const secretLine = `meet at the north gate ${randomUUID().slice(0, 8)}`;
  await seedConversation(profileDir, {
    passphrase: PASS,
    contactName: 'Alice',
    serviceId: randomUUID(),
    bodies: ['hello from Alice', secretLine],
  });

  await page.getByLabel('Passphrase').fill(PASS);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('button', { name: /Alice/ }).click();
  const timeline = page.getByRole('log', { name: 'Messages with Alice' });
  await expect(timeline.getByText(secretLine)).toBeVisible();
  await snap(page, 'conversation');

  // Lock: nothing of the conversation may remain in the DOM.
  await page.getByRole('button', { name: 'Lock Carapace now' }).click();
  await expect(page.getByRole('heading', { name: 'Carapace is locked' })).toBeVisible();
  await expect(page.getByText('You locked Carapace.')).toBeVisible();
  const html = await page.content();
  expect(html).not.toContain(secretLine);
  expect(html).not.toContain('hello from Alice');
  expect(html).not.toContain('Alice');
  await snap(page, 'locked');

  // Unlock: the history comes back from the vault.
  await page.getByLabel('Passphrase').fill(PASS);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('button', { name: /Alice/ }).click();
  await expect(page.getByRole('log', { name: 'Messages with Alice' }).getByText(secretLine)).toBeVisible();
});
