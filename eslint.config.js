// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

/** Modules that open sockets. Only src/net (our fail-closed transport) and the demo server may use them. */
const NETWORK_MODULES = [
  'net',
  'node:net',
  'tls',
  'node:tls',
  'http',
  'node:http',
  'https',
  'node:https',
  'http2',
  'node:http2',
  'dgram',
  'node:dgram',
  'dns',
  'node:dns',
  'ws',
  'socks',
  'socks-proxy-agent',
  'undici',
];
const networkBan = NETWORK_MODULES.map((name) => ({
  name,
  message: 'All network I/O goes through src/net (fail-closed transport, SOCKS/Tor aware).',
}));
const fetchBan = [
  { name: 'fetch', message: 'Use the src/net transport: it routes through the proxy and fails closed.' },
  { name: 'WebSocket', message: 'Use the src/net transport.' },
  { name: 'XMLHttpRequest', message: 'Use the src/net transport.' },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.tmp/**',
      'dist/**',
      'coverage/**',
      'bench/results/**',
      'e2e/artifacts/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  // Layering: src/ is platform-free core. It never imports electron, main/, renderer/ or e2e/.
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'src/ is platform-free: no electron.' }, ...networkBan],
          patterns: [
            {
              group: ['**/main/**', '**/renderer/**', '**/e2e/**'],
              message: 'src/ must not depend outward.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...fetchBan],
    },
  },
  // The transport itself, the demo network (a local server) and tests may touch sockets.
  {
    files: ['src/net/**/*.ts', 'src/demo/**/*.ts', 'src/**/*.test.ts', 'src/**/test-support/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'src/ is platform-free: no electron.' }],
          patterns: [
            {
              group: ['**/main/**', '**/renderer/**', '**/e2e/**'],
              message: 'src/ must not depend outward.',
            },
          ],
        },
      ],
      'no-restricted-globals': 'off',
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/renderer/**'], message: 'main/ talks to the renderer over IPC only.' },
            { group: ['**/e2e/**'], message: 'The test harness is never part of the app.' },
          ],
        },
      ],
    },
  },
  // Renderer: browser only, no Node, no network; it may import only src/api from the core.
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer uses window.carapace only.' }],
          patterns: [
            { group: ['node:*'], message: 'The renderer has no Node.' },
            {
              group: ['**/src/*', '!**/src/api', '**/src/!(api)/**', '**/main/**', '**/e2e/**'],
              message: 'The renderer may import only src/api.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...fetchBan],
    },
  },
  // The Rules of Hooks and the React Compiler's checks (purity, refs, set-state-in-effect, …).
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ...reactHooks.configs.flat.recommended,
  },
);
