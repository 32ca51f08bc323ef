import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isPotentiallyExecutable, playableMedia, sniffContentType } from './content-type.js';

describe('content type sniffing', () => {
  it('identifies files by their bytes, not their names', async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const jpeg = await sharp(png).jpeg().toBuffer();
    const webp = await sharp(png).webp().toBuffer();
    const gif = await sharp(png).gif().toBuffer();
    expect(sniffContentType(png)).toBe('image/png');
    expect(sniffContentType(jpeg)).toBe('image/jpeg');
    expect(sniffContentType(webp)).toBe('image/webp');
    expect(sniffContentType(gif)).toBe('image/gif');
    expect(sniffContentType(Buffer.from('%PDF-1.4 ...'))).toBe('application/pdf');
    expect(sniffContentType(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2]))).toBe('application/zip');
    expect(sniffContentType(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]))).toBe('application/x-executable');
    expect(sniffContentType(Buffer.from('MZ\x90\x00\x03', 'latin1'))).toBe('application/x-msdownload');
    expect(sniffContentType(Buffer.from('#!/bin/sh\nrm -rf ~\n'))).toBe('application/x-sh');
    expect(sniffContentType(Buffer.from('\ufeff  <!DOCTYPE html><script>x</script>'))).toBe('text/html');
    expect(
      sniffContentType(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')),
    ).toBe('image/svg+xml');
    expect(sniffContentType(Buffer.from('just some notes\nline two\n'))).toBe('text/plain');
    expect(sniffContentType(Buffer.from([0, 1, 2, 3, 250, 251]))).toBe('application/octet-stream');
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(12)]);
    expect(sniffContentType(mp4)).toBe('video/mp4');
  });
});

describe('playable media', () => {
  it('plays only the audio and video formats Chromium’s players take; markup, QuickTime and the rest are saved', () => {
    expect(playableMedia('audio/ogg')).toBe('audio');
    expect(playableMedia('audio/wav')).toBe('audio');
    expect(playableMedia('audio/aac')).toBe('audio');
    expect(playableMedia('audio/mpeg')).toBe('audio');
    expect(playableMedia('audio/mp4')).toBe('audio');
    expect(playableMedia('video/mp4')).toBe('video');
    expect(playableMedia('video/webm')).toBe('video');
    for (const type of [
      'video/quicktime',
      'image/png',
      'image/svg+xml',
      'text/html',
      'application/pdf',
    ] as const) {
      expect(playableMedia(type)).toBeNull();
    }
    // A voice note's bytes decide, not its name or the sender's content type.
    const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVEfmt ')]);
    expect(playableMedia(sniffContentType(wav))).toBe('audio');
  });
});

describe('markup detection', () => {
  it('takes what a browser would render as HTML for HTML (WHATWG sniffing patterns), and nothing else', () => {
    for (const text of [
      '<p>hi',
      '<a href="x">',
      '<B>bold</B>',
      '<!-- c -->',
      '<title>t',
      '<br>',
      '\n\t <div class=x>',
    ]) {
      expect(sniffContentType(Buffer.from(text)), text).toBe('text/html');
    }
    for (const text of ['<bold>', '<abc>', 'a < b', '<3 you', '<pre>not a pattern']) {
      expect(sniffContentType(Buffer.from(text)), text).toBe('text/plain');
    }
  });

  it('reads UTF-16 text (with its byte order mark) as browsers do', () => {
    const utf16le = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('<html><script>x()</script>', 'utf16le'),
    ]);
    const utf16be = Buffer.from(utf16le.subarray(0, utf16le.length)).swap16();
    expect(sniffContentType(utf16le)).toBe('text/html');
    expect(sniffContentType(utf16be)).toBe('text/html');
    const notes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('just notes', 'utf16le')]);
    expect(sniffContentType(notes)).toBe('text/plain');
  });

  it('finds HTML or SVG markup anywhere in the first KiB, not only at its start (issue 12.10)', () => {
    const lead = 'Meeting notes from Tuesday, nothing to see here.\n'.repeat(8);
    expect(sniffContentType(Buffer.from(`${lead}<script>fetch('x')</script>`))).toBe('text/html');
    expect(sniffContentType(Buffer.from(`${lead}<iframe src=x>`))).toBe('text/html');
    expect(sniffContentType(Buffer.from(`hello\n<img src=x onerror=alert(1)>`))).toBe('text/html');
    expect(sniffContentType(Buffer.from(`${lead}<svg onload="alert(1)">`))).toBe('image/svg+xml');
    expect(sniffContentType(Buffer.from(`${lead}<SVG xmlns="http://www.w3.org/2000/svg">`))).toBe(
      'image/svg+xml',
    );
    // Beyond the first KiB: plain text (the sniffer reads a bounded head).
    expect(sniffContentType(Buffer.from(`${'x'.repeat(1100)}<script>`))).toBe('text/plain');
    for (const text of ['if a <= b then c', '2 <3 and 4 > 1', 'see <pre>x</pre>', 'use a <bold> word']) {
      expect(sniffContentType(Buffer.from(text)), text).toBe('text/plain');
    }
  });

  it('flags XML (XHTML, stylesheets) as active content', () => {
    const xhtml =
      '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>x()</script></html>';
    expect(sniffContentType(Buffer.from(xhtml))).toBe('application/xml');
    expect(isPotentiallyExecutable('notes.txt', 'application/xml')).toBe(true);
  });
});

describe('isPotentiallyExecutable', () => {
  it('flags executables, scripts, installers, shortcuts and active documents by name', () => {
    for (const name of [
      'setup.exe',
      'a.msi',
      'run.bat',
      'x.cmd',
      'y.com',
      'screen.scr',
      'p.ps1',
      'i.sh',
      'b.bash',
      'app.desktop',
      'Tool.AppImage',
      'pkg.deb',
      'pkg.rpm',
      'disk.dmg',
      'inst.pkg',
      'Some.app',
      'lib.jar',
      'code.js',
      'mod.mjs',
      'v.vbs',
      'page.html',
      'page.HTM',
      'logo.svg',
      'link.lnk',
      'site.url',
      // issue 12.10: shortcuts, installers and handlers that run code when opened
      'remote.rdp',
      'find.search-ms',
      'fix.diagcab',
      'update.cab',
      'update.msu',
      'comp.wsc',
      'comp.sct',
      'app.jnlp',
      'query.iqy',
      'sheet.slk',
      'notebook.one',
      'types.ps1xml',
      'app.xbap',
      'file.fileloc',
      'place.inetloc',
      'link.website',
      'panel.settingcontent-ms',
      'app.appref-ms',
      'lib.library-ms',
      'conn.searchconnector-ms',
      'theme.themepack',
      'x.appinstaller',
      'photo.jpg.exe',
      'evil.exe.',
      'evil.exe ',
    ]) {
      expect(isPotentiallyExecutable(name, 'application/octet-stream'), name).toBe(true);
    }
  });

  it('flags executable content whatever the name says, and passes ordinary files', () => {
    expect(isPotentiallyExecutable('holiday.jpg', 'application/x-msdownload')).toBe(true);
    expect(isPotentiallyExecutable('notes.txt', 'text/html')).toBe(true);
    expect(isPotentiallyExecutable(undefined, 'image/svg+xml')).toBe(true);
    expect(isPotentiallyExecutable(undefined, 'application/x-sh')).toBe(true);
    for (const name of [
      'photo.jpg',
      'report.pdf',
      'notes.txt',
      'archive.zip',
      'song.mp3',
      'README',
      undefined,
    ]) {
      expect(isPotentiallyExecutable(name, 'application/octet-stream'), String(name)).toBe(false);
    }
  });
});
