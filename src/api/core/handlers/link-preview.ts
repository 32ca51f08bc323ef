/**
 * Link previews of what the user types: fetched only while the linkPreviews setting is on, through the
 * session's route (proxy / Tor when set; on the direct route only to checked public addresses). Received
 * messages never reach this module: their previews are shown from what the sender sent.
 */
import { LinkPreviewError, PreconditionError } from '../../../errors.js';
import { LinkPreviewService } from '../../../net/link-preview-service.js';
import type { CoreContext, Handlers } from '../context.js';

export function linkPreviewHandlers(ctx: CoreContext) {
  /** One preview at a time: the composer asks again as the link changes, and only the latest matters. */
  let running: AbortController | undefined;
  return {
    'linkPreview.fetch': async ({ url }) => {
      const s = ctx.session();
      const settings = s.settings.get();
      if (!settings.linkPreviews) {
        throw new PreconditionError('Link previews are off. Turn them on in Settings to see one.');
      }
      const { openSocket } = s.endpoint();
      const service = new LinkPreviewService({
        routes: { opener: openSocket, isDirect: () => s.routeIsDirect() },
        ...ctx.options.linkPreviews,
      });
      running?.abort(new LinkPreviewError('cancelled'));
      const controller = new AbortController();
      running = controller;
      try {
        const preview = await service.preview(url, settings, controller.signal);
        // The setting was checked above; null here would mean it changed under us: nothing to show.
        if (preview === null) throw new PreconditionError('Link previews are off.');
        return {
          url,
          title: preview.title,
          description: preview.description ?? null,
          image:
            preview.image !== undefined
              ? {
                  dataBase64: Buffer.from(preview.image.data).toString('base64'),
                  contentType: preview.image.contentType,
                }
              : null,
        };
      } finally {
        if (running === controller) running = undefined;
      }
    },
  } satisfies Partial<Handlers>;
}
