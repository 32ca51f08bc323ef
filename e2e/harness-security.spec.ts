import WebSocket from 'ws';
import { cspViolations, expect, test } from './fixtures.js';

// These check the web harness itself (its CSP header, token and Origin checks): not part of the Electron app.
test.skip(({ appKind }) => appKind !== 'web', 'Checks the web harness only');

function wsUrl(pageUrl: string): string {
  const { host } = new URL(pageUrl);
  return `ws://${host}/api`;
}

function connect(url: string, origin: string | undefined): Promise<{ ws: WebSocket; opened: boolean }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve({ ws, opened: true }));
    ws.once('error', () => resolve({ ws, opened: false }));
  });
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

test('the page is served with the strict CSP, the token leaves the URL, violations are caught', async ({
  app,
}) => {
  const { page } = app;
  const response = await page.request.get(page.url());
  const csp = response.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toMatch(/connect-src ws:\/\/127\.0\.0\.1:\d+(;|$)/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
  await expect(page.getByRole('heading', { name: 'Welcome to Carapace' })).toBeVisible();
  expect(new URL(page.url()).hash).toBe('');

  // Positive control: the tracker sees violations (then clear them so the fixture's check passes).
  await page.evaluate(`(() => {
    const img = document.createElement('img');
    img.src = 'https://example.invalid/pixel.png';
    document.body.appendChild(img);
    const style = document.createElement('style');
    style.textContent = 'body { color: red }';
    document.head.appendChild(style);
  })()`);
  await expect.poll(async () => (await cspViolations(page)).join('\n')).toContain('img-src');
  expect((await cspViolations(page)).join('\n')).toContain('style-src');
  await page.evaluate('window.__csp.length = 0');
});

test('the API socket refuses a foreign Origin, a wrong token and a command before the token', async ({
  app,
}) => {
  const { page } = app;
  await expect(page.getByRole('heading', { name: 'Welcome to Carapace' })).toBeVisible();
  const url = wsUrl(page.url());
  const origin = new URL(page.url()).origin;

  const foreign = await connect(url, 'http://evil.example');
  expect(foreign.opened).toBe(false);
  const noOrigin = await connect(url, undefined);
  expect(noOrigin.opened).toBe(false);

  const wrong = await connect(url, origin);
  expect(wrong.opened).toBe(true);
  const wrongClosed = closeCode(wrong.ws);
  wrong.ws.send(JSON.stringify('0'.repeat(64)));
  expect(await wrongClosed).toBe(4401);

  // Skipping the token and sending a command straight away is refused too.
  const skip = await connect(url, origin);
  const skipClosed = closeCode(skip.ws);
  skip.ws.send(JSON.stringify({ id: 1, command: 'vault.status', input: {} }));
  expect(await skipClosed).toBe(4401);

  // Before the token, a connection may not make the harness buffer a large frame (the post-auth limit is
  // sized for whole attachments): the socket is cut off after 16 KiB.
  const flood = await connect(url, origin);
  const floodClosed = closeCode(flood.ws);
  flood.ws.send(JSON.stringify('x'.repeat(1024 * 1024)));
  expect(await floodClosed).toBe(1006);
});
