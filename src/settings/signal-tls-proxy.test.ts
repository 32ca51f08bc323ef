import { describe, expect, it } from 'vitest';
import { auditSettings } from './audit.js';
import { DEFAULT_SETTINGS, parseSignalProxyLink, proxySettingSchema, type Settings } from './schema.js';

describe('Signal proxy links and the signal-tls-proxy setting', () => {
  it('reads both link forms Signal shares, with an optional port', () => {
    expect(parseSignalProxyLink('https://signal.tube/#proxy.example.org')).toEqual({
      ok: true,
      proxy: { mode: 'signal-tls-proxy', host: 'proxy.example.org' },
    });
    expect(parseSignalProxyLink('  sgnl://signal.tube?host=proxy.example.org ')).toEqual({
      ok: true,
      proxy: { mode: 'signal-tls-proxy', host: 'proxy.example.org' },
    });
    expect(parseSignalProxyLink('https://signal.tube/#proxy.example.org:8443')).toEqual({
      ok: true,
      proxy: { mode: 'signal-tls-proxy', host: 'proxy.example.org', port: 8443 },
    });
    expect(parseSignalProxyLink('https://signal.tube/#[2001:db8::1]:443')).toEqual({
      ok: true,
      proxy: { mode: 'signal-tls-proxy', host: '2001:db8::1', port: 443 },
    });
  });

  it('one clear error per failure', () => {
    const error = (link: string): string | undefined => {
      const result = parseSignalProxyLink(link);
      return result.ok ? undefined : result.error;
    };
    expect(error('proxy.example.org')).toMatch(/^This is not a link/);
    expect(error('https://evil.example/#proxy.example.org')).toMatch(/^This is not a Signal proxy link/);
    expect(error('http://signal.tube/#proxy.example.org')).toMatch(/^This is not a Signal proxy link/);
    expect(error('https://signal.tube/')).toBe('The proxy link names no proxy host.');
    expect(error('sgnl://signal.tube?server=x')).toBe('The proxy link names no proxy host.');
    expect(error('https://signal.tube/#proxy.example.org/path')).toBe(
      'The proxy host must be a host name or an IP address (no scheme, port or path).',
    );
    expect(error('https://signal.tube/#proxy.example.org:70000')).toBe(
      'The proxy port must be between 1 and 65535.',
    );
  });

  it('the setting takes a host and an optional port, nothing else', () => {
    expect(proxySettingSchema.safeParse({ mode: 'signal-tls-proxy', host: 'p.example' }).success).toBe(true);
    expect(proxySettingSchema.safeParse({ mode: 'signal-tls-proxy', host: '' }).success).toBe(false);
    expect(
      proxySettingSchema.safeParse({ mode: 'signal-tls-proxy', host: 'p.example', username: 'u' }).success,
    ).toBe(false);
  });
});

describe('the hardening report on a Signal TLS proxy', () => {
  it('counts it as a proxy in use and names it; the advice says when to use one', () => {
    const facts = { pinSet: true, registrationLock: true, noPassphraseMode: false };
    const proxyItem = (proxy: Settings['proxy']) =>
      auditSettings({ ...DEFAULT_SETTINGS, proxy }, facts).find((item) => item.id === 'proxy');
    const inUse = proxyItem({ mode: 'signal-tls-proxy', host: 'p.example' });
    expect(inUse?.status).toBe('ok');
    expect(inUse?.advice).toMatch(/Signal TLS proxy/);
    expect(proxyItem({ mode: 'none' })?.advice).toMatch(/Where Signal is blocked, use a Signal TLS proxy/);
  });
});
