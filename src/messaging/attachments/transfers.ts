/**
 * The attachment transfers running now (uploads and downloads), each with its AbortController, so the
 * user can cancel one by attachment id. The abort travels through the CDN/TUS request, which fails
 * with a NetworkError: a download stays `pending` with nothing written, an upload fails its message.
 */
export class Transfers {
  readonly #running = new Map<string, AbortController>();

  /** Registers a transfer for `attachmentId`; call `end` with the same controller when it settles. */
  start(attachmentId: string): AbortController {
    const controller = new AbortController();
    this.#running.set(attachmentId, controller);
    return controller;
  }

  end(attachmentId: string, controller: AbortController): void {
    if (this.#running.get(attachmentId) === controller) this.#running.delete(attachmentId);
  }

  /** Aborts the transfer of `attachmentId`; false when none runs. */
  cancel(attachmentId: string): boolean {
    const controller = this.#running.get(attachmentId);
    if (!controller) return false;
    this.#running.delete(attachmentId);
    controller.abort(new Error('Cancelled by the user'));
    return true;
  }
}
