import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { executableName, locateElectronBinary, type LocateInput } from './electron-binary.js';

const pkg = path.resolve('/repo/node_modules/electron');

function input(files: Record<string, string>, env: Record<string, string> = {}): LocateInput {
  return {
    packageDir: pkg,
    env,
    platform: 'linux',
    exists: (file) => file in files,
    readText: (file) => files[file],
  };
}

describe('locateElectronBinary', () => {
  it('finds the downloaded binary through path.txt', () => {
    const binary = path.join(pkg, 'dist', 'electron');
    expect(locateElectronBinary(input({ [path.join(pkg, 'path.txt')]: 'electron', [binary]: '' }))).toEqual({
      ok: true,
      path: binary,
    });
  });

  it('explains a never-downloaded binary and a missing file', () => {
    const never = locateElectronBinary(input({}));
    expect(never.ok).toBe(false);
    if (!never.ok) expect(never.reason).toContain('never downloaded');
    const gone = locateElectronBinary(input({ [path.join(pkg, 'path.txt')]: 'electron' }));
    expect(gone.ok).toBe(false);
    if (!gone.ok) expect(gone.reason).toContain('missing');
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH as electron itself does', () => {
    const dist = path.resolve('/opt/electron-45');
    const binary = path.join(dist, 'electron');
    expect(locateElectronBinary(input({ [binary]: '' }, { ELECTRON_OVERRIDE_DIST_PATH: dist }))).toEqual({
      ok: true,
      path: binary,
    });
    expect(locateElectronBinary(input({}, { ELECTRON_OVERRIDE_DIST_PATH: dist })).ok).toBe(false);
  });

  it('reports an uninstalled electron package', () => {
    expect(locateElectronBinary({ ...input({}), packageDir: undefined })).toMatchObject({ ok: false });
  });

  it('knows the executable name per platform', () => {
    expect(executableName('linux')).toBe('electron');
    expect(executableName('win32')).toBe('electron.exe');
    expect(executableName('darwin')).toBe('Electron.app/Contents/MacOS/Electron');
  });
});
