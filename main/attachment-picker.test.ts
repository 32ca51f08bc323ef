import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { nativeFilePicker } from './attachment-picker.js';

function fakeDialog(result: { canceled: boolean; filePaths: string[] }) {
  const calls: { parent: boolean; options: OpenDialogOptions }[] = [];
  const dialog = {
    showOpenDialog: (...args: unknown[]) => {
      const options = (args.length === 2 ? args[1] : args[0]) as OpenDialogOptions;
      calls.push({ parent: args.length === 2, options });
      return Promise.resolve(result);
    },
  } as unknown as Pick<Dialog, 'showOpenDialog'>;
  return { dialog, calls };
}

const window = { isDestroyed: () => false } as unknown as BrowserWindow;

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
      { parent: true, options: { title: 'Attach files', properties: ['openFile', 'multiSelections'] } },
    ]);
  });

  it('a cancelled dialog chooses nothing; without a window it still opens', async () => {
    const { dialog, calls } = fakeDialog({ canceled: true, filePaths: ['/ignored'] });
    await expect(nativeFilePicker(dialog, () => undefined)()).resolves.toEqual([]);
    expect(calls[0]?.parent).toBe(false);
  });
});
