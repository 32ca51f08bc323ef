/**
 * Content types come from the bytes, never from the sender's pointer or a file name: a file whose
 * extension or declared type lies is shown and saved as what it really is. And the UI must ask before
 * saving or opening anything that could execute (`isPotentiallyExecutable`); nothing is opened
 * automatically.
 *
 * Checked against file-type on a generated corpus (content-type.file-type.test.ts): same answers, or the
 * stricter one. It stays our own code rather than file-type at runtime: it reads at most the first 4 KiB,
 * synchronously, and its security jobs (markup, scripts, XML in text files) are ones file-type leaves out.
 * Its length is the signature and extension tables; the logic is short.
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
  | 'video/ogg'
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
  | 'application/java-vm'
  | 'application/x-sh'
  | 'text/html'
  | 'application/xml'
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

/** Bytes from the start of a file that `sniffContentType` looks at (a longer input gives the same answer). */
export const SNIFF_HEAD_BYTES = 4096;

/**
 * The start of a text file (UTF-8, or UTF-16 with its byte order mark, which browsers also render),
 * lower-cased with leading white space removed; undefined for binary data.
 */
function textHead(bytes: Uint8Array): string | undefined {
  const sample = bytes.subarray(0, SNIFF_HEAD_BYTES);
  const utf16 = startsWith(sample, [0xff, 0xfe])
    ? 'utf-16le'
    : startsWith(sample, [0xfe, 0xff])
      ? 'utf-16be'
      : undefined;
  let text: string;
  try {
    // `stream`: a multi-byte sequence cut at the sample's end is not an error.
    text = new TextDecoder(utf16 ?? 'utf-8', { fatal: true }).decode(sample, { stream: true });
  } catch {
    return undefined;
  }
  if (text.length === 0) return undefined;
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code < 0x09 || (code > 0x0d && code < 0x20 && code !== 0x1b)) return undefined;
  }
  return text // TextDecoder has dropped the byte order mark
    .trimStart()
    .slice(0, 1024)
    .toLowerCase();
}

/**
 * Starts a browser would render as HTML (the WHATWG MIME Sniffing standard's HTML patterns: a tag name
 * followed by a space or `>`), plus the <!doctype> and <svg> forms.
 */
const HTML_STARTS = [
  'html',
  'head',
  'script',
  'iframe',
  'h1',
  'div',
  'font',
  'table',
  'a',
  'style',
  'title',
  'b',
  'body',
  'br',
  'p',
  '!--',
];

function isTagEnd(char: string): boolean {
  return char === '>' || char === ' ' || char === '\t' || char === '\n' || char === '\f' || char === '\r';
}

function looksLikeHtml(head: string): boolean {
  if (head.startsWith('<!doctype html')) return true;
  return HTML_STARTS.some((tag) => head.startsWith(`<${tag}`) && isTagEnd(head.charAt(tag.length + 1)));
}

/**
 * Tags that run script or load content when a browser renders the file, looked for ANYWHERE in the head:
 * a browser told the type (or a user's "open with") renders a page whose markup follows some text.
 */
const ACTIVE_TAGS = [
  ...HTML_STARTS.filter((tag) => tag !== '!--'),
  '!doctype',
  'img',
  'svg',
  'object',
  'embed',
  'meta',
  'link',
  'base',
  'form',
  'frameset',
  'frame',
  'math',
  'template',
  'xml',
  'video',
  'audio',
  'input',
];

/** The first active tag in the head, lower-cased, or undefined. */
function markupTag(head: string): string | undefined {
  for (let at = head.indexOf('<'); at >= 0; at = head.indexOf('<', at + 1)) {
    const tag = ACTIVE_TAGS.find(
      (name) => head.startsWith(name, at + 1) && isTagEnd(head.charAt(at + 1 + name.length)),
    );
    if (tag) return tag;
  }
  return undefined;
}

/** ISO base media (MP4 family) brands that are not plain MP4 video. */
const FTYP_BRANDS: Readonly<Record<string, SniffedType>> = {
  heic: 'image/heic',
  heix: 'image/heic',
  heim: 'image/heic',
  heis: 'image/heic',
  hevc: 'image/heic',
  hevx: 'image/heic',
  mif1: 'image/heic',
  msf1: 'image/heic',
  avif: 'image/avif',
  avis: 'image/avif',
  'qt  ': 'video/quicktime',
  'M4A ': 'audio/mp4',
  'M4B ': 'audio/mp4',
  'F4A ': 'audio/mp4',
  'F4B ': 'audio/mp4',
  // Canon raw photos: nothing here can show them, and they are no video.
  'crx ': 'application/octet-stream',
};

/** An Ogg stream's first codec header, which follows the first page's 27-byte header and segment table. */
function oggType(bytes: Uint8Array): SniffedType {
  const codec = ascii(bytes, 28, 35);
  return codec === '\x80theora' || codec === '\x01video' ? 'video/ogg' : 'audio/ogg';
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
  // The major brand starts with a printable ASCII character (as `file` and file-type require).
  if (ascii(bytes, 4, 8) === 'ftyp' && ((bytes[8] ?? 0) & 0x60) !== 0) {
    return FTYP_BRANDS[ascii(bytes, 8, 12)] ?? 'video/mp4';
  }
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
  if (
    ascii(bytes, 0, 3) === 'ID3' ||
    (bytes.length > 2 && bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe6) === 0xe2)
  ) {
    return 'audio/mpeg';
  }
  if (bytes.length > 1 && bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xf6) === 0xf0) return 'audio/aac';
  if (ascii(bytes, 0, 4) === 'OggS') return oggType(bytes);
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
    startsWith(bytes, [0xcf, 0xfa, 0xed, 0xfe])
  ) {
    return 'application/x-mach-binary';
  }
  if (startsWith(bytes, [0xca, 0xfe, 0xba, 0xbe])) {
    // Shared by universal (fat) Mach-O binaries and Java classes; `file` tells them apart by the next word:
    // a small architecture count, or a class file's version.
    const count = Buffer.from(bytes.subarray(4, 8)).readUInt32BE(0);
    return bytes.length >= 8 && count > 0 && count <= 30
      ? 'application/x-mach-binary'
      : 'application/java-vm';
  }
  if (ascii(bytes, 0, 2) === '#!') return 'application/x-sh';
  const head = textHead(bytes);
  if (head === undefined) return 'application/octet-stream';
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'image/svg+xml';
  // Any other XML can be XHTML or carry a stylesheet that runs script when a browser opens it.
  if (head.startsWith('<?xml')) return 'application/xml';
  if (looksLikeHtml(head)) return 'text/html';
  // Markup after some text (issue 12.10): still a page a browser would run.
  const tag = markupTag(head);
  if (tag === undefined) return 'text/plain';
  return tag === 'svg' ? 'image/svg+xml' : 'text/html';
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

const PLAYABLE: Partial<Record<SniffedType, 'audio' | 'video'>> = {
  'video/mp4': 'video',
  'video/webm': 'video',
  'video/ogg': 'video',
  'audio/mpeg': 'audio',
  'audio/ogg': 'audio',
  'audio/wav': 'audio',
  'audio/aac': 'audio',
  'audio/mp4': 'audio',
};

/**
 * Audio or video the UI may play when the user asks (never on its own): the formats Chromium's own players
 * take. Everything else (QuickTime included) is saved, not played.
 */
export function playableMedia(type: SniffedType): 'audio' | 'video' | null {
  return PLAYABLE[type] ?? null;
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
  // Shortcuts, handlers and installers that run code when opened (issue 12.10)
  'rdp',
  'search-ms',
  'searchconnector-ms',
  'diagcab',
  'cab',
  'msu',
  'msixbundle',
  'appxbundle',
  'appinstaller',
  'wsc',
  'sct',
  'jnlp',
  'iqy',
  'slk',
  'one',
  'ps1xml',
  'ps2',
  'ps2xml',
  'psc1',
  'psc2',
  'msh',
  'msh1',
  'msh2',
  'mshxml',
  'xbap',
  'website',
  'appcontent-ms',
  'theme',
  'themepack',
  'ins',
  'isp',
  'job',
  'hlp',
  'shb',
  'shs',
  'vb',
  'ws',
  'mde',
  'ade',
  'adp',
  'accde',
  'pyz',
  'pyzw',
  'udl',
  'wim',
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
  'fileloc',
  'inetloc',
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
  'application/java-vm',
  'application/x-sh',
  'text/html',
  'application/xml',
  'image/svg+xml',
]);

/**
 * Whether saving or opening this file needs an explicit confirmation: its name ends in an extension that
 * runs code or active content on some desktop OS (the last one counts, so `photo.jpg.exe` does), or its
 * bytes are an executable, a script or HTML/SVG/XML, whatever the name says.
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
