/**
 * knip (run by `npm run lint`): fails on unused files, exports, dependencies and unlisted dependencies, so
 * only code that runs ships. Entries are everything that runs: the Electron main + preload, the renderer and
 * harness pages (found through renderer/vite.config.ts and their index.html), the CLIs in package.json
 * scripts (found through the scripts), the configs, and the tests with their test support.
 *
 * Two passes: `knip` over everything, and `knip --production` over production entries (marked `!`) only,
 * which reports production code that only tests reach.
 */
import type { KnipConfig } from 'knip';

const config: KnipConfig = {
  entry: [
    'main/index.ts!',
    'main/preload.ts!',
    // The demo Signal network (npm run demo-server). knip's hint calls this redundant: the script names it,
    // but `--production` ignores scripts, so it must stay.
    'src/demo/cli.ts!',
    // The harness page is built separately (vite --mode harness) and never ships in the Electron bundle.
    'renderer/harness/main.tsx',
    'scripts/*.{ts,cjs}',
    // Test support is imported by tests only, by design; its modules are entries so they need no test.
    '**/test-support/**/*.ts',
    '**/*.test-support.ts',
  ],
  project: [
    'src/**/*.ts!',
    'main/**/*.ts!',
    'renderer/**/*.{ts,tsx}!',
    // Test support and the web harness's client live next to the code they serve but never ship.
    '!**/test-support/**!',
    '!**/*.test-support.ts!',
    '!renderer/harness/**!',
    '!renderer/harness-client.ts!',
    'e2e/**/*.ts',
    'bench/**/*.ts',
    'scripts/**/*.{ts,cjs}',
  ],
  // A type naming an exported function's parameter or result is part of that function's API.
  ignoreExportsUsedInFile: { interface: true, type: true },
  // A system tool the SOCKS test kit runs (certificates for its TLS target).
  ignoreBinaries: ['openssl'],
};

export default config;
