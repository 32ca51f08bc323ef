/**
 * E2E: link previews with the setting on, against a local https page (a self-signed certificate the
 * harness core is told to trust; loopback allowed for this test only). Typing a link shows a card
 * (loading first), sending carries Signal's preview field with the image; "remove preview" sends the
 * text alone; a received preview is shown without any request to the site; with the setting off,
 * typing a link fetches nothing. Web project only (it drives the harness core's test hooks).
 */
import { randomInt } from 'node:crypto';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import {
  makeSelfSignedCert,
  startCountingTlsServer,
  type CountingTlsServer,
} from '../src/net/test-support/socks.js';
import { expect, snap, test } from './fixtures.js';
import { createProfile, register, startChat } from './support/flows.js';

const PASS = 'amber compass 41 harbour light';
const cert = makeSelfSignedCert('localhost');
// A valid 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let site: CountingTlsServer;

test.use({ demoNetwork: true, linkPreviewHooks: { trustStore: cert.cert, allowLocalHosts: true } });

test.beforeAll(async () => {
  site = await startCountingTlsServer(cert, (req, res) => {
    if (req.url === '/card.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<html><head><meta property="og:title" content="Carapace test page">' +
        '<meta property="og:description" content="A page served by the test">' +
        '<meta property="og:image" content="/card.png"></head><body></body></html>',
    );
  });
});

test.afterAll(async () => {
  await site?.close();
});

test('a typed link gets a preview card that is sent; received previews are shown without a fetch', async ({
  app,
  demo,
}) => {
  test.setTimeout(90_000);
  const { page } = app;
  const gus = await demo!.createContact('Gus');
  await createProfile(page, PASS);
  await register(page, `+1555${String(randomInt(1_000_000, 9_999_999))}`);
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 20_000 });
  const account = await app.service().call('account.status', {});
  if (!account.ok || !account.value.aci) throw new Error('not registered');
  const ourAci = account.value.aci;

  // Off (the default): a typed link fetches nothing.
  await startChat(page, gus.aci, 'Gus');
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  const link = `https://localhost:${site.port}/article`;
  await box.fill(`off: ${link}`);
  await page.waitForTimeout(1200);
  await expect(page.getByRole('figure')).toHaveCount(0);
  expect(site.requests).toHaveLength(0);
  await box.fill('');

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  // A controlled checkbox: its state changes when the core answers, so click and then wait.
  await page.getByLabel(/Generate link previews/).click();
  await expect(page.getByLabel(/Generate link previews/)).toBeChecked();
  await page.getByRole('button', { name: 'Chats', exact: true }).click();
  await page
    .getByRole('complementary', { name: 'Conversations' })
    .getByRole('button', { name: /Gus/ })
    .click();

  // On: loading, then the card (title, description, domain, image from bytes).
  await box.fill(`have a look: ${link}`);
  await expect(page.getByRole('status').filter({ hasText: 'Loading a preview of localhost' })).toBeVisible();
  const card = page.getByRole('figure', { name: 'Link preview: Carapace test page' });
  await expect(card).toBeVisible({ timeout: 15_000 });
  await expect(card).toContainText('A page served by the test');
  await expect(card).toContainText('localhost');
  await expect(card.locator('img')).toHaveAttribute('src', /^blob:/);
  await snap(page, 'link-preview-composer');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const sent = await gus.device.waitForMessage();
  expect(sent.body).toBe(`have a look: ${link}`);
  expect(sent.dataMessage.preview[0]).toMatchObject({ url: link, title: 'Carapace test page' });
  expect(sent.dataMessage.preview[0]?.image).toBeTruthy();
  const ours = page.locator('.bubble.out').filter({ hasText: 'have a look' });
  await expect(ours.getByRole('figure', { name: 'Link preview: Carapace test page' })).toBeVisible();

  // "Remove preview" (by keyboard): the text goes alone.
  await box.fill(`again ${link}`);
  const remove = page.getByRole('button', { name: 'Remove link preview' });
  await expect(remove).toBeVisible({ timeout: 15_000 });
  await remove.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('figure')).toHaveCount(1); // only the one in our sent bubble
  await box.press('Enter');
  const plain = await gus.device.waitForMessage();
  expect(plain.body).toBe(`again ${link}`);
  expect(plain.dataMessage.preview).toEqual([]);

  // Received: shown from what Gus sent; the site sees no request for it.
  const requestsBefore = site.requests.length;
  await gus.device.sendRaw(await gus.ensureSession(ourAci), {
    content: {
      dataMessage: {
        ...EMPTY_DATA_MESSAGE,
        body: `from gus ${link}`,
        preview: [{ url: link, title: 'Sent by Gus', description: null, image: null, date: null }],
        timestamp: BigInt(Date.now()),
      },
    },
    pniSignatureMessage: null,
    senderKeyDistributionMessage: null,
  });
  const theirs = page.locator('.bubble.in').filter({ hasText: 'from gus' });
  await expect(theirs.getByRole('figure', { name: 'Link preview: Sent by Gus' })).toBeVisible({
    timeout: 20_000,
  });
  expect(site.requests.length).toBe(requestsBefore);
});
