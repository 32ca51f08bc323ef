import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.js';
import { appPaths, resolveNetworkMode, resolveProfileDir } from './launch-config.js';

describe('resolveNetworkMode', () => {
  it('a packaged build is always production, whatever env and argv say', () => {
    expect(
      resolveNetworkMode({
        isPackaged: true,
        env: { CARAPACE_NETWORK: 'demo', CARAPACE_DEMO_CONFIG: '/tmp/demo.json' },
        argv: ['/opt/Carapace/carapace', '--network=demo', '--demo-config=/tmp/demo.json'],
      }),
    ).toEqual({ mode: 'production', ignoredOverride: true });
    expect(resolveNetworkMode({ isPackaged: true, env: {}, argv: [] })).toEqual({
      mode: 'production',
      ignoredOverride: false,
    });
    // Even a garbage override cannot make a packaged build fail to start.
    expect(resolveNetworkMode({ isPackaged: true, env: { CARAPACE_NETWORK: '??' }, argv: [] }).mode).toBe(
      'production',
    );
  });

  it('an unpackaged run defaults to production and selects demo explicitly, argv over env', () => {
    expect(resolveNetworkMode({ isPackaged: false, env: {}, argv: [] })).toEqual({
      mode: 'production',
      ignoredOverride: false,
    });
    expect(
      resolveNetworkMode({
        isPackaged: false,
        env: { CARAPACE_NETWORK: 'demo', CARAPACE_DEMO_CONFIG: '/a.json' },
        argv: [],
      }),
    ).toEqual({ mode: 'demo', demoConfigFile: '/a.json', ignoredOverride: false });
    expect(
      resolveNetworkMode({
        isPackaged: false,
        env: { CARAPACE_NETWORK: 'production' },
        argv: ['electron', '.', '--network=demo', '--demo-config=/b.json'],
      }),
    ).toEqual({ mode: 'demo', demoConfigFile: '/b.json', ignoredOverride: false });
    expect(
      resolveNetworkMode({
        isPackaged: false,
        env: { CARAPACE_NETWORK: 'demo' },
        argv: ['--network=production'],
      }).mode,
    ).toBe('production');
  });

  it('rejects unknown modes and demo without its config file with a typed error', () => {
    expect(() =>
      resolveNetworkMode({ isPackaged: false, env: { CARAPACE_NETWORK: 'staging' }, argv: [] }),
    ).toThrow(ValidationError);
    expect(() => resolveNetworkMode({ isPackaged: false, env: {}, argv: ['--network=demo'] })).toThrow(
      ValidationError,
    );
  });
});

describe('resolveProfileDir', () => {
  it('uses CARAPACE_PROFILE_DIR only in unpackaged runs', () => {
    const userDataDir = path.resolve('/home/u/.config/Carapace');
    const override = path.resolve('/tmp/e2e-profile');
    expect(
      resolveProfileDir({ isPackaged: false, env: { CARAPACE_PROFILE_DIR: override }, userDataDir }),
    ).toBe(override);
    expect(
      resolveProfileDir({ isPackaged: true, env: { CARAPACE_PROFILE_DIR: override }, userDataDir }),
    ).toBe(path.join(userDataDir, 'profile'));
    expect(resolveProfileDir({ isPackaged: false, env: {}, userDataDir })).toBe(
      path.join(userDataDir, 'profile'),
    );
    expect(() =>
      resolveProfileDir({ isPackaged: false, env: { CARAPACE_PROFILE_DIR: 'relative/dir' }, userDataDir }),
    ).toThrow(ValidationError);
  });
});

describe('appPaths', () => {
  it('points at the built renderer and the CommonJS preload', () => {
    const root = path.resolve('/app');
    expect(appPaths(root)).toEqual({
      rendererDir: path.join(root, 'dist', 'renderer'),
      preloadPath: path.join(root, 'dist', 'main', 'preload.cjs'),
    });
  });
});
