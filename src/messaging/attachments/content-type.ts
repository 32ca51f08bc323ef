/**
 * Content types come from the bytes, never from the sender's pointer or a file name: a file whose
 * extension or declared type lies is shown and saved as what it really is. And the UI must ask before
 * saving or opening anything that could execute (`isPotentiallyExecutable`); nothing is opened
 * automatically.
 */

export type SniffedType =
  | 'image/jpeg'
  | 'image/png'
  | 'image/gif'
  | 'image/webp'
  | 'image/bmp'
  | 'image/tiff'
  | 'image/heic'
  | 'image/avif'
  | 'image/svg+xml'
  | 'video/mp4'
  | 'video/quicktime'
  | 'video/webm'
  | 'audio/mpeg'
  | 'audio/ogg'
  | 'audio/wav'
  | 'audio/aac'
  | 'audio/mp4'
  | 'application/pdf'
  | 'application/zip'
  | 'application/gzip'
  | 'application/x-7z-compressed'
  | 'application/x-rar-compressed'
  | 'application/x-executable'
  | 'application/x-msdownload'
  | 'application/x-mach-binary'
  | 'application/x-sh'
  | 'text/html'
  | 'text/plain'
  | 'application/octet-stream';

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  for (let i = 0; i < signature.length; i += 1) if (bytes[offset + i] !== signature[i]) return false;
  return true;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.subarray(start, Math.min(end, bytes.length))).toString('latin1');
}

/** The start of a text file, lower-cased with a BOM and leading white space removed. */
function textHead(bytes: Uint8Array): string {
  let head = ascii(bytes, 0, 1024);
  if (head.startsWith('\xef\xbb\xbf')) head = head.slice(3);
  return head.trimStart().toLowerCase();
}

function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 4096);
  if (sample.length === 0) return false;
  for (const byte of sample) {
    if (byte === 0) return false;
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) return false;
  }
  // Must be valid UTF-8 (a cut multi-byte sequence at the sample's end is fine).
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, Math.max(0, sample.length - 4)));
    return true;
  } catch {
    return false;
  }
}

/** Identifies a file from its first bytes (magic numbers). Unknown binary is application/octet-stream. */
export function sniffContentType(bytes: Uint8Array): SniffedType {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(bytes, 0, 4) === 'RIFF') {
    const kind = ascii(bytes, 8, 12);
    if (kind === 'WEBP') return 'image/webp';
    if (kind === 'WAVE') return 'audio/wav';
  }
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 26) return 'image/bmp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return 'image/tiff';
  }
  if (ascii(bytes, 4, 8) === 'ftyp') {
    const brand = ascii(bytes, 8, 12);
    if (['heic', 'heix', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'image/heic';
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (brand === 'qt  ') return 'video/quicktime';
    if (brand === 'M4A ') return 'audio/mp4';
    return 'video/mp4';
  }
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
  if (
    ascii(bytes, 0, 3) === 'ID3' ||
    (bytes.length > 2 && bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe6) === 0xe2)
  ) {
    return 'audio/mpeg';
  }
  if (bytes.length > 1 && bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xf6) === 0xf0) return 'audio/aac';
  if (ascii(bytes, 0, 4) === 'OggS') return 'audio/ogg';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'application/pdf';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    return 'application/zip';
  }
  if (startsWith(bytes, [0x1f, 0x8b])) return 'application/gzip';
  if (startsWith(bytes, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return 'application/x-7z-compressed';
  if (ascii(bytes, 0, 6) === 'Rar!\x1a\x07') return 'application/x-rar-compressed';
  if (startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return 'application/x-executable';
  if (ascii(bytes, 0, 2) === 'MZ') return 'application/x-msdownload';
  if (
    startsWith(bytes, [0xfe, 0xed, 0xfa, 0xce]) ||
    startsWith(bytes, [0xfe, 0xed, 0xfa, 0xcf]) ||
    startsWith(bytes, [0xce, 0xfa, 0xed, 0xfe]) ||
    startsWith(bytes, [0xcf, 0xfa, 0xed, 0xfe]) ||
    startsWith(bytes, [0xca, 0xfe, 0xba, 0xbe])
  ) {
    return 'application/x-mach-binary';
  }
  if (ascii(bytes, 0, 2) === '#!') return 'application/x-sh';
  if (looksLikeText(bytes)) {
    const head = textHead(bytes);
    if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg')))
      return 'image/svg+xml';
    if (
      head.startsWith('<!doctype html') ||
      head.startsWith('<html') ||
      head.startsWith('<head') ||
      head.startsWith('<body') ||
      head.startsWith('<script') ||
      head.startsWith('<iframe')
    ) {
      return 'text/html';
    }
    return 'text/plain';
  }
  return 'application/octet-stream';
}

/** Raster images sharp can re-encode (metadata stripping and thumbnails). */
export function isStrippableImage(type: SniffedType): boolean {
  return (
    type === 'image/jpeg' ||
    type === 'image/png' ||
    type === 'image/webp' ||
    type === 'image/gif' ||
    type === 'image/tiff' ||
    type === 'image/heic' ||
    type === 'image/avif' ||
    type === 'image/bmp'
  );
}

/** Types the renderer may display inline (as a blob: URL in an <img>): raster images only, never SVG. */
export function isInlineImage(type: SniffedType): boolean {
  return type === 'image/jpeg' || type === 'image/png' || type === 'image/gif' || type === 'image/webp';
}

const EXECUTABLE_EXTENSIONS = new Set([
  // Windows
  'exe',
  'msi',
  'msp',
  'msix',
  'appx',
  'bat',
  'cmd',
  'com',
  'scr',
  'pif',
  'cpl',
  'dll',
  'sys',
  'ps1',
  'psm1',
  'psd1',
  'vbs',
  'vbe',
  'js',
  'jse',
  'wsf',
  'wsh',
  'hta',
  'lnk',
  'url',
  'reg',
  'inf',
  'gadget',
  'msc',
  'application',
  'appref-ms',
  'scf',
  'chm',
  'iso',
  'img',
  'vhd',
  'vhdx',
  'xll',
  'library-ms',
  'settingcontent-ms',
  // Unix, Linux
  'sh',
  'bash',
  'zsh',
  'ksh',
  'csh',
  'fish',
  'run',
  'bin',
  'elf',
  'so',
  'desktop',
  'appimage',
  'deb',
  'rpm',
  'snap',
  'flatpakref',
  'flatpak',
  'py',
  'pyc',
  'pyw',
  'pl',
  'rb',
  'php',
  'lua',
  'awk',
  'tcl',
  // macOS
  'app',
  'dmg',
  'pkg',
  'mpkg',
  'command',
  'tool',
  'workflow',
  'scpt',
  'applescript',
  'terminal',
  'webloc',
  'dylib',
  'kext',
  'action',
  'osx',
  // Cross-platform code and active documents
  'jar',
  'class',
  'mjs',
  'cjs',
  'html',
  'htm',
  'xhtml',
  'shtml',
  'mht',
  'mhtml',
  'svg',
  'svgz',
  'xml',
  'xsl',
  'swf',
  'docm',
  'xlsm',
  'pptm',
  'dotm',
  'xlam',
  'ppam',
  'wasm',
  'apk',
  'xpi',
  'crx',
  'torrent',
]);

const EXECUTABLE_TYPES = new Set<SniffedType>([
  'application/x-executable',
  'application/x-msdownload',
  'application/x-mach-binary',
  'application/x-sh',
  'text/html',
  'image/svg+xml',
]);

/**
 * Whether saving or opening this file needs an explicit confirmation: its name ends in an extension that
 * runs code or active content on some desktop OS (the last one counts, so `photo.jpg.exe` does), or its
 * bytes are an executable, a script or HTML/SVG, whatever the name says.
 */
export function isPotentiallyExecutable(fileName: string | undefined, sniffedType: SniffedType): boolean {
  if (EXECUTABLE_TYPES.has(sniffedType)) return true;
  if (!fileName) return false;
  // Trailing dots and spaces are dropped by Windows ("evil.exe." runs as evil.exe).
  const name = fileName
    .trim()
    .replace(/[.\s]+$/u, '')
    .toLowerCase();
  const dot = name.lastIndexOf('.');
  if (dot < 0) return false;
  return EXECUTABLE_EXTENSIONS.has(name.slice(dot + 1).trim());
}
