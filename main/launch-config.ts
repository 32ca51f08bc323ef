/**
 * Launch decisions (no electron import): which network, which profile, where the built files are.
 *
 * Which Signal network the app talks to (no electron import). A packaged build is always `production`:
 * no environment variable or command-line flag can switch a release to the demo network, whose TLS and
 * sealed-sender private keys are public. Unpackaged (development) runs may select the demo network that
 * `npm start` launches, by `--network=demo` or CARAPACE_NETWORK=demo, plus the demo config file.
 */
import path from 'node:path';
import { ValidationError } from '../src/errors.js';

export interface NetworkModeInput {
  readonly isPackaged: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly argv: readonly string[];
}

export type NetworkModeResolution =
  | { readonly mode: 'production'; readonly ignoredOverride: boolean }
  | { readonly mode: 'demo'; readonly demoConfigFile: string; readonly ignoredOverride: false };

const NETWORK_ENV = 'CARAPACE_NETWORK';
const DEMO_CONFIG_ENV = 'CARAPACE_DEMO_CONFIG';
const NETWORK_FLAG = '--network=';
const DEMO_CONFIG_FLAG = '--demo-config=';

function flag(argv: readonly string[], prefix: string): string | undefined {
  // The last occurrence wins, as with most CLIs.
  let value: string | undefined;
  for (const arg of argv) if (arg.startsWith(prefix)) value = arg.slice(prefix.length);
  return value;
}

export function resolveNetworkMode(input: NetworkModeInput): NetworkModeResolution {
  const requested = flag(input.argv, NETWORK_FLAG) ?? input.env[NETWORK_ENV];
  const configFile = flag(input.argv, DEMO_CONFIG_FLAG) ?? input.env[DEMO_CONFIG_ENV];
  if (input.isPackaged) {
    const overridden = requested !== undefined || configFile !== undefined;
    return { mode: 'production', ignoredOverride: overridden };
  }
  if (requested === undefined || requested === 'production')
    return { mode: 'production', ignoredOverride: false };
  if (requested !== 'demo') {
    throw new ValidationError(`Unknown network mode; use "demo" or "production".`);
  }
  if (configFile === undefined || configFile.length === 0) {
    throw new ValidationError(
      `Demo mode needs the demo network's config file (${DEMO_CONFIG_ENV}); start the app with npm start.`,
    );
  }
  return { mode: 'demo', demoConfigFile: configFile, ignoredOverride: false };
}

export const PROFILE_DIR_ENV = 'CARAPACE_PROFILE_DIR';

/**
 * The profile (vault) directory. Development runs and E2E tests may point it elsewhere with
 * CARAPACE_PROFILE_DIR; a packaged build always uses its per-user data directory.
 */
export function resolveProfileDir(input: {
  readonly isPackaged: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly userDataDir: string;
}): string {
  const override = input.env[PROFILE_DIR_ENV];
  if (!input.isPackaged && override !== undefined && override.length > 0) {
    if (!path.isAbsolute(override)) throw new ValidationError(`${PROFILE_DIR_ENV} must be an absolute path.`);
    return path.normalize(override);
  }
  return path.join(input.userDataDir, 'profile');
}

export interface AppPaths {
  /** The built renderer, served as app://carapace/. */
  readonly rendererDir: string;
  /** The bundled CommonJS preload. */
  readonly preloadPath: string;
}

/** Where the build (scripts/build-main.ts, vite) puts things, relative to `app.getAppPath()`. */
export function appPaths(appRoot: string): AppPaths {
  return {
    rendererDir: path.join(appRoot, 'dist', 'renderer'),
    preloadPath: path.join(appRoot, 'dist', 'main', 'preload.cjs'),
  };
}
