import {
  fetchLinkPreview,
  type LinkPreview,
  type LinkPreviewLimits,
  type TrustStore,
} from './link-preview.js';
import { previewOpener, type PreviewRoutes, type Resolver } from './link-preview-route.js';
import type { SocketOpener } from './socket-opener.js';

/** The part of the user's settings this service obeys (settings.linkPreviews, default false). */
export interface LinkPreviewSettings {
  readonly linkPreviews: boolean;
}

export interface LinkPreviewServiceOptions {
  /**
   * Where connections go: the session's NetworkRouteManager, so previews follow the current proxy/Tor
   * route exactly like the chat traffic (and on the direct route connect only to checked addresses).
   */
  readonly routes: PreviewRoutes;
  /** The name resolver of the direct route (tests inject one; default: the OS resolver). */
  readonly resolve?: Resolver;
  readonly trustStore?: TrustStore;
  readonly fetchImage?: boolean;
  readonly allowLocalHosts?: boolean;
  readonly limits?: Partial<LinkPreviewLimits>;
}

/**
 * The only entry point the app uses for link previews. It is called by the composer for a link the user is
 * typing — never for received messages — and returns null, touching no network at all, while the user's
 * link-preview setting is off (the default).
 */
export class LinkPreviewService {
  readonly #options: LinkPreviewServiceOptions;
  readonly #opener: SocketOpener;

  constructor(options: LinkPreviewServiceOptions) {
    this.#options = options;
    this.#opener = previewOpener(options.routes, {
      ...(options.resolve !== undefined ? { resolve: options.resolve } : {}),
      ...(options.allowLocalHosts !== undefined ? { allowLocalHosts: options.allowLocalHosts } : {}),
    });
  }

  async preview(
    url: string,
    settings: LinkPreviewSettings,
    signal?: AbortSignal,
  ): Promise<LinkPreview | null> {
    if (settings.linkPreviews !== true) return null;
    return fetchLinkPreview(url, {
      opener: this.#opener,
      ...(this.#options.trustStore !== undefined ? { trustStore: this.#options.trustStore } : {}),
      ...(this.#options.fetchImage !== undefined ? { fetchImage: this.#options.fetchImage } : {}),
      ...(this.#options.allowLocalHosts !== undefined
        ? { allowLocalHosts: this.#options.allowLocalHosts }
        : {}),
      ...(this.#options.limits !== undefined ? { limits: this.#options.limits } : {}),
      ...(signal !== undefined ? { signal } : {}),
    });
  }
}
