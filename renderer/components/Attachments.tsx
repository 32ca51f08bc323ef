import { useEffect, useRef, useState } from 'react';
import type { ApiError, ApiResult, Attachment, Message } from '../../src/api/contract.js';
import { attachmentUrl } from '../attachment-reading.js';
import { blobUrl, getApi, releaseObjectUrl } from '../bridge.js';
import { useStore } from '../store.js';
import { ErrorText } from './ErrorText.js';

const FAILURES: Record<string, string> = {
  integrity: 'The attachment was tampered with or damaged on the way; it was discarded.',
  'too-large': 'The attachment is larger than 100 MiB and was not downloaded.',
  malformed: 'The attachment is malformed and was discarded.',
  'missing-pointer-field': 'The attachment is malformed and was discarded.',
  'not-found': 'The attachment is no longer on the server.',
  cdn: 'The attachment could not be downloaded. It will be tried again.',
};

export function formatSize(bytes: number | null): string {
  if (bytes === null) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * A transfer's bar with bytes and percent, and a Cancel button while it runs. A cancelled download stays
 * not downloaded ("Download" fetches it again); a cancelled upload fails its message.
 */
function Progress({ attachment }: { attachment: Attachment }) {
  const transfer = useStore((s) => s.transfers[attachment.id]);
  const [cancelled, setCancelled] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const name = attachment.fileName ?? 'attachment';
  const direction = transfer?.direction === 'upload' ? 'upload' : 'download';
  const label = `${direction === 'upload' ? 'Uploading' : 'Downloading'} ${name}`;
  // Bytes and percent as text too: a bar alone says nothing about a 90 MiB file on a slow proxy.
  const percent = transfer?.total ? Math.floor((transfer.loaded / transfer.total) * 100) : null;
  const running =
    transfer !== undefined && !cancelled && (!transfer.total || transfer.loaded < transfer.total);
  const cancel = async () => {
    setError(null);
    const result = await getApi().attachments.cancel({ attachmentId: attachment.id });
    // NOT_FOUND: it ended meanwhile; the message update shows how.
    if (!result.ok && result.error.code !== 'NOT_FOUND') return setError(result.error);
    setCancelled(true);
  };
  const download = async () => {
    setError(null);
    setCancelled(false);
    const result = await getApi().attachments.download({ attachmentId: attachment.id });
    if (!result.ok) setError(result.error);
  };
  // A cancelled upload fails its message: the message's own status says so.
  if (cancelled && direction === 'upload') return null;
  if (cancelled) {
    return (
      <span className="transfer-progress">
        <span className="muted">Download cancelled.</span>{' '}
        <button type="button" aria-label={`Download ${name}`} onClick={() => void download()}>
          Download
        </button>
        <ErrorText error={error} />
      </span>
    );
  }
  return (
    <span className="transfer-progress">
      <progress
        className="transfer"
        aria-label={label}
        max={transfer?.total || 1}
        value={transfer ? transfer.loaded : undefined}
      />
      {transfer ? (
        <span className="muted transfer-bytes">
          {formatSize(transfer.loaded)}
          {transfer.total ? ` of ${formatSize(transfer.total)} (${percent} %)` : ''}
        </span>
      ) : null}
      {running ? (
        <button
          type="button"
          className="transfer-cancel"
          aria-label={`Cancel ${direction} of ${name}`}
          onClick={() => void cancel()}
        >
          Cancel
        </button>
      ) : null}
      <ErrorText error={error} />
    </span>
  );
}

/** An inline image: the thumbnail first (when there is one), the full image on click. */
function InlineImage({ attachment }: { attachment: Attachment }) {
  const [full, setFull] = useState(!attachment.hasThumbnail);
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    // The thumbnail is small and comes whole; the full image by range (it may be many MiB).
    // Shown as an image (a Blob of the sniffed image type), never handed out as a file: a name that
    // could run code (photo.exe) needs no confirmation here, only for saving.
    const reading: Promise<ApiResult<string>> = full
      ? attachmentUrl(attachment.id, { confirmExecutable: true })
      : getApi()
          .attachments.read({ attachmentId: attachment.id, which: 'thumbnail' })
          .then((result) =>
            result.ok ? { ok: true, value: blobUrl(result.value.dataBase64, result.value.blobType) } : result,
          );
    void reading.then((result) => {
      if (!result.ok) return live ? setError(result.error) : undefined;
      made = result.value;
      if (live) setUrl(made);
      else releaseObjectUrl(made);
    });
    return () => {
      live = false;
      if (made) releaseObjectUrl(made);
    };
  }, [attachment.id, full]);
  if (error) return <ErrorText error={error} />;
  if (!url) return <span className="muted">Loading image…</span>;
  return (
    <button
      type="button"
      className={full ? 'image-attachment full' : 'image-attachment'}
      onClick={() => setFull((f) => !f)}
      aria-label={full ? 'Show smaller' : 'Show full image'}
    >
      <img src={url} alt={attachment.fileName ?? 'Image attachment'} data-full={full ? 'true' : 'false'} />
    </button>
  );
}

/**
 * A file: name, size, and "Save as…" (never opened automatically). In Electron main's save dialog chooses
 * where and the core writes the file; in the web harness it is read by range into a download link.
 */
function FileChip({ attachment }: { attachment: Attachment }) {
  const native = useStore((s) => s.appInfo?.nativeFileDialogs ?? false);
  const [link, setLink] = useState<{ url: string; name: string } | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => () => (link ? releaseObjectUrl(link.url) : undefined), [link]);
  const name = attachment.fileName ?? 'attachment';

  const save = async (confirmExecutable: boolean) => {
    setError(null);
    setSaved(false);
    setBusy('Saving…');
    const confirmed = confirmExecutable ? { confirmExecutable: true } : {};
    const result = native
      ? await getApi().attachments.saveToDisk({ attachmentId: attachment.id, ...confirmed })
      : await attachmentUrl(attachment.id, {
          ...confirmed,
          type: 'application/octet-stream',
          onProgress: (loaded, total) => setBusy(`Preparing ${formatSize(loaded)} of ${formatSize(total)}…`),
        });
    setBusy(null);
    if (!result.ok) {
      if (result.error.code === 'CONFIRMATION_REQUIRED') return setConfirm(true);
      return setError(result.error);
    }
    setConfirm(false);
    if (typeof result.value === 'string') setLink({ url: result.value, name });
    else setSaved(result.value.saved);
  };

  return (
    <div className="file-chip">
      <span className="file-name">{name}</span> <span className="muted">{formatSize(attachment.size)}</span>
      {link ? (
        <a href={link.url} download={link.name} className="button">
          Download {link.name}
        </a>
      ) : (
        <button type="button" disabled={busy !== null} onClick={() => void save(false)}>
          Save as…
        </button>
      )}
      {busy || saved ? (
        <span className="muted" role="status">
          {busy ?? 'Saved.'}
        </span>
      ) : null}
      {confirm ? (
        <div className="warning" role="alertdialog" aria-label="Confirm saving a program">
          <p>
            {name} can run code on your computer if you open it. Save it only if you trust the sender and
            expected this file.
          </p>
          <div className="row">
            <button type="button" onClick={() => void save(true)}>
              Save anyway
            </button>
            <button type="button" onClick={() => setConfirm(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      <ErrorText error={error} />
    </div>
  );
}

/** Whether the component is still mounted: a read by range may end after the user left the chat. */
function useMounted(): { readonly current: boolean } {
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  return live;
}

/**
 * Audio or video in a message: nothing is read or decoded until the user presses Play; then the file comes
 * from the core by range into a blob: URL of its sniffed type, and the browser's own player takes it.
 */
function MediaPlayer({ attachment, kind }: { attachment: Attachment; kind: 'audio' | 'video' }) {
  const [url, setUrl] = useState<string | null>(null);
  const [loading, setLoading] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const live = useMounted();
  useEffect(() => () => (url ? releaseObjectUrl(url) : undefined), [url]);
  const name = attachment.fileName ?? kind;

  const load = async () => {
    setError(null);
    setLoading('Loading…');
    // Played from a Blob of its sniffed media type, never handed out as a file (see InlineImage).
    const result = await attachmentUrl(attachment.id, {
      confirmExecutable: true,
      onProgress: (loaded, total) => {
        if (live.current) setLoading(`Loading ${formatSize(loaded)} of ${formatSize(total)}…`);
      },
    });
    if (!live.current) {
      if (result.ok) releaseObjectUrl(result.value);
      return;
    }
    setLoading(null);
    if (!result.ok) return setError(result.error);
    setUrl(result.value);
  };

  if (url) {
    return kind === 'video' ? (
      <video className="media-attachment" src={url} controls autoPlay aria-label={name} />
    ) : (
      <audio className="media-attachment" src={url} controls autoPlay aria-label={name} />
    );
  }
  return (
    <span className="media-attachment">
      <button type="button" disabled={loading !== null} onClick={() => void load()}>
        Play {name}
      </button>{' '}
      {loading ? (
        <span className="muted" role="status">
          {loading}
        </span>
      ) : null}
      <ErrorText error={error} />
    </span>
  );
}

function AttachmentView({ attachment }: { attachment: Attachment }) {
  const uploading = useStore((s) => {
    const transfer = s.transfers[attachment.id];
    return transfer?.direction === 'upload' && transfer.loaded < transfer.total;
  });
  if (attachment.state === 'pending') return <Progress attachment={attachment} />;
  if (attachment.state === 'failed') {
    return (
      <p className="error" role="alert">
        {FAILURES[attachment.failure ?? ''] ?? 'The attachment could not be downloaded.'}
      </p>
    );
  }
  return (
    <>
      {uploading ? <Progress attachment={attachment} /> : null}
      {attachment.inlineImage ? (
        <InlineImage attachment={attachment} />
      ) : (
        <>
          {attachment.media ? <MediaPlayer attachment={attachment} kind={attachment.media} /> : null}
          <FileChip attachment={attachment} />
        </>
      )}
    </>
  );
}

/** View-once: a button that shows the media once; afterwards only "Viewed" remains. */
function ViewOnce({ message }: { message: Message }) {
  const [urls, setUrls] = useState<{ url: string; video: boolean }[] | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const live = useMounted();
  const close = () => {
    for (const { url } of urls ?? []) releaseObjectUrl(url);
    setUrls(null);
  };
  useEffect(() => () => urls?.forEach(({ url }) => releaseObjectUrl(url)), [urls]);

  if (urls) {
    return (
      <div className="view-once-viewer" role="dialog" aria-label="View-once media">
        {urls.map(({ url, video }) =>
          video ? (
            <video key={url} src={url} controls autoPlay aria-label="View-once media" />
          ) : (
            <img key={url} src={url} alt="View-once media" />
          ),
        )}
        <button type="button" onClick={close} autoFocus>
          Close
        </button>
      </div>
    );
  }
  if (message.direction === 'out') {
    return <span className="view-once-marker">View-once media{message.viewed ? ' · Viewed' : ''}</span>;
  }
  if (message.viewed && !opening) {
    return (
      <>
        <span className="view-once-marker">Viewed</span>
        <ErrorText error={error} />
      </>
    );
  }
  const pending = message.attachments.some((a) => a.state === 'pending');
  // Opening marks it viewed at once; its files are then read by range (a video may be 100 MiB) and
  // shredded by the core after their last piece.
  const open = async () => {
    setError(null);
    setOpening('Opening…');
    const result = await getApi().messages.viewOnce({ messageId: message.id });
    if (!result.ok) {
      setOpening(null);
      return setError(result.error);
    }
    const opened: { url: string; video: boolean }[] = [];
    for (const item of result.value.items) {
      // Shown, never handed out as a file (as an inline image): a name that could run code asks nothing
      // here — asking would fail a view-once that is already marked viewed.
      const read = await attachmentUrl(item.attachmentId, {
        confirmExecutable: true,
        type: item.blobType,
        onProgress: (loaded, total) => {
          if (live.current) setOpening(`Opening ${formatSize(loaded)} of ${formatSize(total)}…`);
        },
      });
      if (!read.ok) {
        for (const { url } of opened) releaseObjectUrl(url);
        if (!live.current) return;
        setOpening(null);
        return setError(read.error);
      }
      opened.push({ url: read.value, video: item.blobType.startsWith('video/') });
    }
    // The chat was left while it opened: nothing shows it, so no blob URL may stay behind.
    if (!live.current) {
      for (const { url } of opened) releaseObjectUrl(url);
      return;
    }
    setOpening(null);
    setUrls(opened);
  };
  return (
    <>
      {pending ? message.attachments.map((a) => <Progress key={a.id} attachment={a} />) : null}
      {opening ? (
        <span className="muted" role="status">
          {opening}
        </span>
      ) : (
        <button type="button" className="view-once" disabled={pending} onClick={() => void open()}>
          View once
        </button>
      )}
      <ErrorText error={error} />
    </>
  );
}

export function MessageAttachments({ message }: { message: Message }) {
  if (message.viewOnce) return <ViewOnce message={message} />;
  if (message.attachments.length === 0) return null;
  return (
    <div className="attachments">
      {message.attachments.map((a) => (
        <AttachmentView key={a.id} attachment={a} />
      ))}
    </div>
  );
}
