/**
 * The native file dialogs for attachments. Main shows them and hands the chosen paths to the core, which
 * reads (attachments.pick) or writes (attachments.saveToDisk) the files itself: the renderer never sees a
 * path or the bytes.
 */
import type { BrowserWindow, Dialog, OpenDialogOptions, SaveDialogOptions } from 'electron';

type ParentWindow = () => BrowserWindow | undefined;

/** The window to attach a dialog to, if it is still open (a dialog without one still opens). */
function parentOf(window: ParentWindow): BrowserWindow | undefined {
  const parent = window();
  return parent && !parent.isDestroyed() ? parent : undefined;
}

export function nativeFilePicker(
  dialog: Pick<Dialog, 'showOpenDialog'>,
  window: ParentWindow,
): () => Promise<readonly string[]> {
  return async () => {
    const options: OpenDialogOptions = { title: 'Attach files', properties: ['openFile', 'multiSelections'] };
    const parent = parentOf(window);
    const result = parent
      ? await dialog.showOpenDialog(parent, options)
      : await dialog.showOpenDialog(options);
    return result.canceled ? [] : result.filePaths;
  };
}

/** The save dialog, suggesting the attachment's (already sanitised) name; undefined when cancelled. */
export function nativeSavePicker(
  dialog: Pick<Dialog, 'showSaveDialog'>,
  window: ParentWindow,
): (suggestedName: string) => Promise<string | undefined> {
  return async (suggestedName) => {
    const options: SaveDialogOptions = {
      title: 'Save attachment',
      defaultPath: suggestedName,
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    };
    const parent = parentOf(window);
    const result = parent
      ? await dialog.showSaveDialog(parent, options)
      : await dialog.showSaveDialog(options);
    return result.canceled || !result.filePath ? undefined : result.filePath;
  };
}
