import { describe, expect, it } from 'vitest';
import {
  EXTERNAL_LINK_CONFIRM_BUTTON,
  decideNavigation,
  decideWindowOpen,
  externalLinkPrompt,
  isRequestAllowed,
} from './navigation.js';

describe('decideNavigation', () => {
  it('allows our app:// pages', () => {
    expect(decideNavigation('app://carapace/index.html')).toEqual({ action: 'allow' });
    expect(decideNavigation('app://carapace/index.html#/settings')).toEqual({ action: 'allow' });
  });

  it('sends https links to a confirmation, never navigates the window to them', () => {
    expect(decideNavigation('https://signal.org/blog/')).toEqual({
      action: 'confirm-external',
      url: 'https://signal.org/blog/',
    });
  });

  it('denies every other destination', () => {
    for (const url of [
      'http://signal.org/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'app://evil/index.html',
      'chrome://settings',
      'ws://127.0.0.1:1/',
      'https://user:pass@bank.example/',
      'https://',
      `https://example.org/${'a'.repeat(3000)}`,
      'not a url',
      '',
    ]) {
      expect(decideNavigation(url).action, url).toBe('deny');
    }
  });
});

describe('decideWindowOpen', () => {
  it('never opens a new app window: https needs confirmation, everything else is denied', () => {
    expect(decideWindowOpen('https://example.org/a?b=c')).toEqual({
      action: 'confirm-external',
      url: 'https://example.org/a?b=c',
    });
    expect(decideWindowOpen('app://carapace/index.html').action).toBe('deny');
    expect(decideWindowOpen('about:blank').action).toBe('deny');
    expect(decideWindowOpen('http://example.org/').action).toBe('deny');
    expect(decideWindowOpen('mailto:a@example.org').action).toBe('deny');
    expect(decideWindowOpen('smb://host/share').action).toBe('deny');
  });
});

describe('externalLinkPrompt', () => {
  it('warns that the browser leaves Tor and defaults to Cancel', () => {
    const prompt = externalLinkPrompt('https://example.org/page');
    expect(prompt.message).toContain('example.org');
    expect(prompt.detail).toContain('Tor');
    expect(prompt.detail).toContain('https://example.org/page');
    expect(prompt.buttons[prompt.defaultId]).toBe('Cancel');
    expect(prompt.cancelId).toBe(prompt.defaultId);
    expect(prompt.buttons[EXTERNAL_LINK_CONFIRM_BUTTON]).toBe('Open in browser');
  });
});

describe('isRequestAllowed (renderer session network block)', () => {
  it('lets our own files and in-memory URLs load', () => {
    expect(isRequestAllowed('app://carapace/assets/index.js')).toBe(true);
    expect(isRequestAllowed('data:image/png;base64,iVBORw0KGgo=')).toBe(true);
    expect(isRequestAllowed('blob:app://carapace/4f1c7a3e-0000-4000-8000-000000000000')).toBe(true);
  });

  it('blocks http, https, ws, wss, file and foreign blobs', () => {
    for (const url of [
      'http://127.0.0.1:8080/',
      'https://example.org/pixel.png',
      'ws://127.0.0.1:1234/',
      'wss://chat.signal.org/v1/websocket/',
      'ftp://example.org/',
      'file:///etc/passwd',
      'blob:https://evil.example/123',
      'app://other/x.js',
      'garbage',
    ]) {
      expect(isRequestAllowed(url), url).toBe(false);
    }
  });
});
