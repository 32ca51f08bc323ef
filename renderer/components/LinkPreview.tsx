/**
 * Link previews in the UI. The composer asks the core for a preview of the first https link typed (only
 * while the setting is on, debounced, the newest link only); a message shows the preview it carries,
 * from what was sent — the renderer never loads anything from the web (the image comes as bytes).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { firstHttpsLink, type Attachment, type LinkPreview, type Message } from '../../src/api/contract.js';
import { blobUrl, getApi, releaseObjectUrl } from '../bridge.js';

/** Typing pauses this long before a link is previewed (no request per keystroke). */
const PREVIEW_DEBOUNCE_MS = 500;

export type ComposerPreview =
  | { readonly status: 'none' }
  | { readonly status: 'loading'; readonly url: string }
  | { readonly status: 'failed'; readonly url: string }
  | { readonly status: 'ready'; readonly preview: LinkPreview };

type Fetched = { readonly url: string; readonly preview: LinkPreview | null };

/**
 * The preview for the draft's first https link. A newer link replaces an older one (a stale answer is
 * dropped; the core cancels the older request too); "remove" drops the preview for that link.
 */
export function useComposerPreview(draft: string, enabled: boolean) {
  const link = enabled ? firstHttpsLink(draft) : undefined;
  const [fetched, setFetched] = useState<Fetched | null>(null);
  const [removed, setRemoved] = useState<string | null>(null);
  // Adjusted while rendering: once the link is gone (sent, deleted), a removed preview may come back.
  if (link === undefined && removed !== null) setRemoved(null);
  const wanted = link !== undefined && link !== removed ? link : undefined;

  useEffect(() => {
    if (wanted === undefined) return;
    let live = true;
    const timer = setTimeout(() => {
      void getApi()
        .linkPreview.fetch({ url: wanted })
        .then((result) => {
          if (live) setFetched({ url: wanted, preview: result.ok ? result.value : null });
        });
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [wanted]);

  let state: ComposerPreview = { status: 'none' };
  if (wanted !== undefined) {
    if (fetched?.url !== wanted) state = { status: 'loading', url: wanted };
    else
      state = fetched.preview
        ? { status: 'ready', preview: fetched.preview }
        : { status: 'failed', url: wanted };
  }
  return {
    state,
    remove: () => setRemoved(link ?? null),
  };
}

function domainOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** An image given as bytes (base64), shown from a blob: URL that is revoked when it goes. */
function BytesImage({ dataBase64, type }: { dataBase64: string; type: string }) {
  const ref = useRef<HTMLImageElement>(null);
  useEffect(() => {
    const made = blobUrl(dataBase64, type);
    if (ref.current) ref.current.src = made;
    return () => releaseObjectUrl(made);
  }, [dataBase64, type]);
  return <img ref={ref} className="link-preview-image" alt="" />;
}

/** A message preview's image: an attachment of the message, read once it is downloaded. */
function AttachmentImage({ attachment }: { attachment: Attachment }) {
  const [image, setImage] = useState<{ dataBase64: string; type: string } | null>(null);
  const ready = attachment.state === 'ready' && attachment.inlineImage;
  useEffect(() => {
    if (!ready) return;
    let live = true;
    void getApi()
      .attachments.read({ attachmentId: attachment.id, which: 'full' })
      .then((result) => {
        if (live && result.ok) setImage({ dataBase64: result.value.dataBase64, type: result.value.blobType });
      });
    return () => {
      live = false;
    };
  }, [attachment.id, ready]);
  return image ? <BytesImage dataBase64={image.dataBase64} type={image.type} /> : null;
}

function Card({
  url,
  title,
  description,
  image,
  children,
}: {
  url: string;
  title: string;
  description: string | null;
  image: ReactNode;
  children?: ReactNode;
}) {
  const domain = domainOf(url);
  return (
    <figure className="link-preview" aria-label={`Link preview: ${title || domain}`}>
      {image}
      <figcaption>
        <strong className="link-preview-title">{title || domain}</strong>
        {description ? <span className="link-preview-description">{description}</span> : null}
        <span className="link-preview-domain muted">{domain}</span>
      </figcaption>
      {children}
    </figure>
  );
}

/** The composer's card: loading, failed (said quietly; the message still goes), or the preview to send. */
export function ComposerPreviewCard({ state, onRemove }: { state: ComposerPreview; onRemove: () => void }) {
  if (state.status === 'none') return null;
  const remove = (
    <button type="button" className="link-preview-remove" aria-label="Remove link preview" onClick={onRemove}>
      ×
    </button>
  );
  if (state.status !== 'ready') {
    return (
      <div className="link-preview pending" role="status">
        <span className="muted">
          {state.status === 'loading'
            ? `Loading a preview of ${domainOf(state.url)}…`
            : `No preview for ${domainOf(state.url)}; the link is sent as text.`}
        </span>
        {remove}
      </div>
    );
  }
  const { preview } = state;
  return (
    <Card
      url={preview.url}
      title={preview.title}
      description={preview.description}
      image={
        preview.image ? (
          <BytesImage dataBase64={preview.image.dataBase64} type={preview.image.contentType} />
        ) : null
      }
    >
      {remove}
    </Card>
  );
}

/** A message's preview card, from what the message carries (no fetch). */
export function MessagePreviewCard({ message }: { message: Message }) {
  const preview = message.preview;
  if (!preview) return null;
  return (
    <Card
      url={preview.url}
      title={preview.title}
      description={preview.description}
      image={preview.image ? <AttachmentImage attachment={preview.image} /> : null}
    />
  );
}
