/**
 * Builds the renderer into dist/renderer with a relative base, so the same files work under the
 * Electron shell's app:// protocol and the web harness's http://127.0.0.1.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: new URL('../dist/renderer', import.meta.url).pathname,
    emptyOutDir: true,
    sourcemap: false,
    // No inline scripts or styles: the CSP is script-src 'self'; style-src 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2023',
  },
});
