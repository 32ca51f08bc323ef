/**
 * Builds the Electron main process and the preload with esbuild:
 * - dist/main/main/index.js: ESM bundle of main/ + src/ (package.json "main"); npm packages stay external
 *   and are loaded from node_modules (asar-packed, native ones unpacked) at run time.
 * - dist/main/preload.cjs: ONE self-contained CommonJS file. A sandboxed preload cannot load files or
 *   most modules — it may only `require('electron')` (and a few polyfills) — so zod and the contract are
 *   bundled in.
 * Run: `npx tsx scripts/build-main.ts` (npm start does it for you).
 */
import { build, type Metafile } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildMainOptions {
  /** Repository root. */
  readonly root: string;
  /** Output directory; default <root>/dist/main. */
  readonly outDir?: string;
}

export interface BuildMainResult {
  readonly mainFile: string;
  readonly preloadFile: string;
  /** Bare module specifiers the main bundle imports at run time (packages and node: builtins). */
  readonly mainExternals: readonly string[];
  /** Bare module specifiers the preload requires at run time. */
  readonly preloadExternals: readonly string[];
  /** Source files bundled into main and preload (repo-relative). */
  readonly inputs: readonly string[];
}

function externalsOf(metafile: Metafile | undefined): string[] {
  if (metafile === undefined) throw new Error('esbuild returned no metafile');
  const names = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const entry of output.imports) if (entry.external) names.add(entry.path);
  }
  return [...names].sort();
}

export async function buildMain(options: BuildMainOptions): Promise<BuildMainResult> {
  const outDir = options.outDir ?? path.join(options.root, 'dist', 'main');
  const mainFile = path.join(outDir, 'main', 'index.js');
  const preloadFile = path.join(outDir, 'preload.cjs');
  const common = {
    bundle: true,
    metafile: true,
    logLevel: 'silent' as const,
    legalComments: 'none' as const,
    sourcemap: false,
    absWorkingDir: options.root,
    tsconfig: path.join(options.root, 'tsconfig.json'),
  };
  const [main, preload] = await Promise.all([
    build({
      ...common,
      entryPoints: [path.join(options.root, 'main', 'index.ts')],
      outfile: mainFile,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      // Packages load from node_modules (native modules cannot be bundled); our own code is bundled.
      packages: 'external',
      external: ['electron'],
    }),
    build({
      ...common,
      entryPoints: [path.join(options.root, 'main', 'preload.ts')],
      outfile: preloadFile,
      platform: 'browser',
      format: 'cjs',
      target: 'es2023',
      minify: true,
      external: ['electron'],
    }),
  ]);
  return {
    mainFile,
    preloadFile,
    mainExternals: externalsOf(main.metafile),
    preloadExternals: externalsOf(preload.metafile),
    inputs: [
      ...new Set([
        ...Object.keys(main.metafile?.inputs ?? {}),
        ...Object.keys(preload.metafile?.inputs ?? {}),
      ]),
    ].sort(),
  };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const result = await buildMain({ root });
  process.stdout.write(
    `build-main: ${path.relative(root, result.mainFile)}, ${path.relative(root, result.preloadFile)}\n`,
  );
}
