import type { BrowserWindow, Dialog, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { nativeFilePicker, nativeSavePicker } from './attachment-dialogs.js';

function fakeDialog(result: { canceled: boolean; filePaths?: string[]; filePath?: string }) {
  const calls: { kind: 'open' | 'save'; parent: boolean; options: OpenDialogOptions | SaveDialogOptions }[] =
    [];
  const record =
    (kind: 'open' | 'save') =>
    (...args: unknown[]) => {
      const options = (args.length === 2 ? args[1] : args[0]) as OpenDialogOptions;
      calls.push({ kind, parent: args.length === 2, options });
      return Promise.resolve(result);
    };
  const dialog = {
    showOpenDialog: record('open'),
    showSaveDialog: record('save'),
  } as unknown as Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>;
  return { dialog, calls };
}

const window = { isDestroyed: () => false } as unknown as BrowserWindow;
const closed = { isDestroyed: () => true } as unknown as BrowserWindow;

describe('nativeFilePicker', () => {
  it('opens a multi-file open dialog on our window and returns the chosen paths', async () => {
    const { dialog, calls } = fakeDialog({
      canceled: false,
      filePaths: ['/home/a/report.pdf', '/home/a/b.png'],
    });
    await expect(nativeFilePicker(dialog, () => window)()).resolves.toEqual([
      '/home/a/report.pdf',
      '/home/a/b.png',
    ]);
    expect(calls).toEqual([
      {
        kind: 'open',
        parent: true,
        options: { title: 'Attach files', properties: ['openFile', 'multiSelections'] },
      },
    ]);
  });

  it('a cancelled dialog chooses nothing; without a window it still opens', async () => {
    const { dialog, calls } = fakeDialog({ canceled: true, filePaths: ['/ignored'] });
    await expect(nativeFilePicker(dialog, () => undefined)()).resolves.toEqual([]);
    expect(calls[0]?.parent).toBe(false);
  });
});

describe('nativeSavePicker', () => {
  it('suggests the attachment’s name, asks before overwriting, and returns the chosen path', async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, filePath: '/home/a/Downloads/notes.pdf' });
    await expect(nativeSavePicker(dialog, () => window)('notes.pdf')).resolves.toBe(
      '/home/a/Downloads/notes.pdf',
    );
    expect(calls).toEqual([
      {
        kind: 'save',
        parent: true,
        options: {
          title: 'Save attachment',
          defaultPath: 'notes.pdf',
          properties: ['createDirectory', 'showOverwriteConfirmation'],
        },
      },
    ]);
  });

  it('cancelled (or no path) saves nothing; a closed window is not used as the parent', async () => {
    const cancelled = fakeDialog({ canceled: true, filePath: '/ignored' });
    await expect(nativeSavePicker(cancelled.dialog, () => closed)('a.txt')).resolves.toBeUndefined();
    expect(cancelled.calls[0]?.parent).toBe(false);
    const empty = fakeDialog({ canceled: false, filePath: '' });
    await expect(nativeSavePicker(empty.dialog, () => window)('a.txt')).resolves.toBeUndefined();
  });
});
