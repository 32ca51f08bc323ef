import type { CarapaceApi } from '../src/api/contract.js';

declare global {
  interface Window {
    /** Provided by the Electron preload (contextBridge) or, in the web harness, by harness-client.ts. */
    carapace?: CarapaceApi;
  }
}

export {};
