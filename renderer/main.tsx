// The Electron entry. Keep first: configures zod before any schema module is evaluated (see the file).
import '../src/api/zod-jitless.js';
import { startApp } from './start.js';

void startApp(() => Promise.resolve(window.carapace));
