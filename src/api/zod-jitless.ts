/**
 * Import this FIRST in any page context under our CSP (the renderer's entry, and the Electron preload
 * before it imports the contract). zod 4 probes `new Function("")` when it builds an object schema, to
 * decide whether to JIT its parsers; under our CSP (no 'unsafe-eval') that probe is refused and reported as
 * a securitypolicyviolation even though zod catches it. jitless mode skips the probe and the eval entirely.
 */
import { z } from 'zod';

z.config({ jitless: true });
