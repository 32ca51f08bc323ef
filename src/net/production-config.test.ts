import { X509Certificate } from 'node:crypto';
import { PublicKey } from '@signalapp/libsignal-client';
import {
  GenericServerPublicParams,
  ServerPublicParams,
} from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { parseClientConfig } from './config.js';
import { PRODUCTION_CONFIG, assertProductionConfig, selectClientConfig } from './production-config.js';

describe('PRODUCTION_CONFIG', () => {
  it('pins Signal’s self-signed root CA, intact (its own signature verifies)', () => {
    expect(PRODUCTION_CONFIG.tlsTrustRootsPem).toHaveLength(1);
    const cert = new X509Certificate(PRODUCTION_CONFIG.tlsTrustRootsPem[0]!);
    expect(cert.subject).toContain('CN=Signal Messenger');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.fingerprint256).toBe(
      'DD:B0:F9:2B:B9:5C:8D:6F:D2:02:EA:6E:8C:C5:CC:D1:82:B5:44:F8:CD:69:6F:47:D5:80:65:9D:DC:9D:F6:5A',
    );
  });

  it('has parameters and trust roots libsignal accepts', () => {
    expect(
      () => new ServerPublicParams(Buffer.from(PRODUCTION_CONFIG.serverPublicParams, 'base64')),
    ).not.toThrow();
    expect(
      () => new GenericServerPublicParams(Buffer.from(PRODUCTION_CONFIG.genericServerPublicParams, 'base64')),
    ).not.toThrow();
    expect(
      () => new GenericServerPublicParams(Buffer.from(PRODUCTION_CONFIG.backupServerPublicParams, 'base64')),
    ).not.toThrow();
    for (const root of PRODUCTION_CONFIG.unidentifiedDeliveryTrustRoots) {
      expect(() => PublicKey.deserialize(Buffer.from(root, 'base64'))).not.toThrow();
    }
    expect(parseClientConfig(JSON.parse(JSON.stringify(PRODUCTION_CONFIG)))).toEqual(PRODUCTION_CONFIG);
    expect(Object.isFrozen(PRODUCTION_CONFIG)).toBe(true);
  });

  it('a packaged build ignores any supplied (demo) config', () => {
    const demo: Record<string, unknown> = {
      ...(JSON.parse(JSON.stringify(PRODUCTION_CONFIG)) as Record<string, unknown>),
      mode: 'demo',
      chat: { host: '127.0.0.1', port: 9 },
    };
    expect(selectClientConfig({ packaged: true, supplied: demo })).toBe(PRODUCTION_CONFIG);
    expect(selectClientConfig({ packaged: false, supplied: demo }).mode).toBe('demo');
    expect(selectClientConfig({ packaged: false })).toBe(PRODUCTION_CONFIG);
    expect(() => assertProductionConfig(parseClientConfig(demo))).toThrow(ValidationError);
    expect(() => assertProductionConfig(PRODUCTION_CONFIG)).not.toThrow();
    // A supplied "production" config (e.g. pointing elsewhere) is refused: production is built in.
    expect(() => selectClientConfig({ packaged: false, supplied: { ...demo, mode: 'production' } })).toThrow(
      ValidationError,
    );
  });
});
