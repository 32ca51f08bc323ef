// The web harness entry (built into dist/harness, never into the Electron bundle). Keep first: configures
// zod before any schema module is evaluated (see the file).
import '../../src/api/zod-jitless.js';
import { installHarnessApi } from '../harness-client.js';
import { startApp } from '../start.js';

void startApp(async () => {
  await installHarnessApi();
  return window.carapace;
});
