/**
 * `npm run icons`: renders assets/icon.svg (the one source) into every icon the app and its packages use.
 * The outputs are committed, so packaging never needs this script:
 *   - assets/icons/<n>x<n>.png   Linux (electron-builder's linux icon set), 16…1024 px;
 *   - assets/icon.icns            macOS (PNG elements, 32…1024 px);
 *   - assets/icon.ico             Windows (PNG entries, 16…256 px);
 *   - renderer/public/icon.png    the renderer's favicon and the Linux window icon (256 px), copied into
 *                                 dist/renderer by vite.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { ICNS_PNG_TYPES, encodeIcns, encodeIco } from './icon-containers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const assets = path.join(root, 'assets');
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
const RENDERER_ICON_SIZE = 256;

async function render(svg: Buffer, size: number): Promise<Buffer> {
  // Rasterised at the target size (density scales the 1024-unit viewBox), not downscaled from one bitmap,
  // so small sizes stay crisp. Stripped of metadata so the output is reproducible.
  return sharp(svg, { density: (72 * size) / 1024 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer();
}

async function main(): Promise<void> {
  const svg = await readFile(path.join(assets, 'icon.svg'));
  const sizes = new Set([...LINUX_SIZES, ...ICO_SIZES, ...Object.values(ICNS_PNG_TYPES), RENDERER_ICON_SIZE]);
  const png = new Map<number, Buffer>();
  for (const size of sizes) png.set(size, await render(svg, size));
  const get = (size: number): Buffer => png.get(size) ?? Buffer.alloc(0);

  await mkdir(path.join(assets, 'icons'), { recursive: true });
  for (const size of LINUX_SIZES) {
    await writeFile(path.join(assets, 'icons', `${size}x${size}.png`), get(size));
  }
  await writeFile(
    path.join(assets, 'icon.ico'),
    encodeIco(ICO_SIZES.map((size) => ({ size, png: get(size) }))),
  );
  await writeFile(path.join(assets, 'icon.icns'), encodeIcns(png));
  await mkdir(path.join(root, 'renderer', 'public'), { recursive: true });
  await writeFile(path.join(root, 'renderer', 'public', 'icon.png'), get(RENDERER_ICON_SIZE));
  process.stdout.write(
    `icons: wrote ${LINUX_SIZES.length} PNGs, icon.ico, icon.icns, renderer/public/icon.png\n`,
  );
}

await main();
