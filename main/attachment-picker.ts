/**
 * The native file chooser for attachments (attachments.pick): main shows the dialog and hands the chosen
 * paths to the core, which stages the files itself — the renderer never sees a path or reads the bytes.
 */
import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron';

export function nativeFilePicker(
  dialog: Pick<Dialog, 'showOpenDialog'>,
  window: () => BrowserWindow | undefined,
): () => Promise<readonly string[]> {
  return async () => {
    const options: OpenDialogOptions = { title: 'Attach files', properties: ['openFile', 'multiSelections'] };
    const parent = window();
    const result =
      parent && !parent.isDestroyed()
        ? await dialog.showOpenDialog(parent, options)
        : await dialog.showOpenDialog(options);
    return result.canceled ? [] : result.filePaths;
  };
}
