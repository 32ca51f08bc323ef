import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import {
  MAX_ATTACHMENT_BYTES,
  MAX_FILES_PER_MESSAGE,
  type ApiError,
  type LinkPreview,
} from '../../src/api/contract.js';
import { sendFiles } from '../attachment-staging.js';
import { getApi, navigate } from '../bridge.js';
import { formatSize } from '../components/Attachments.js';
import { ErrorText } from '../components/ErrorText.js';
import { ComposerPreviewCard, useComposerPreview } from '../components/LinkPreview.js';
import { editMessage } from '../components/conversation/actions.js';
import { ComposerModeBar, type ComposerMode } from '../components/conversation/ComposerMode.js';
import { addMessage, useStore } from '../store.js';

/** While typing, "started" is repeated at this interval; after this long without a keystroke, "stopped". */
const TYPING_REPEAT_MS = 10_000;
const TYPING_IDLE_MS = 3_000;

/** Our typing indicator for one conversation: best effort, errors ignored (it is only a hint). */
function useTypingSender(conversationId: string) {
  const lastStarted = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const stop = useCallback(() => {
    if (idle.current) clearTimeout(idle.current);
    idle.current = null;
    if (lastStarted.current === 0) return;
    lastStarted.current = 0;
    void getApi().typing.send({ conversationId, started: false });
  }, [conversationId]);
  const keystroke = (text: string) => {
    if (!text.trim()) {
      stop();
      return;
    }
    const now = Date.now();
    if (now - lastStarted.current > TYPING_REPEAT_MS) {
      lastStarted.current = now;
      void getApi().typing.send({ conversationId, started: true });
    }
    if (idle.current) clearTimeout(idle.current);
    idle.current = setTimeout(stop, TYPING_IDLE_MS);
  };
  // Leaving the conversation (or unmounting on lock) ends our indicator.
  useEffect(() => stop, [stop]);
  return { keystroke, stop };
}

/** The preview as messages.send takes it (the core checks again that its link is in the body). */
function outgoingPreview(preview: LinkPreview) {
  return {
    url: preview.url,
    title: preview.title,
    ...(preview.description !== null ? { description: preview.description } : {}),
    ...(preview.image ? { imageBase64: preview.image.dataBase64 } : {}),
  };
}

/** The route (proxy or Tor) is down: nothing can be sent until it is fixed, because Carapace never goes direct. */
const ROUTE_FAILURES: ReadonlySet<string> = new Set(['PROXY_UNAVAILABLE', 'PROXY_AUTH_FAILED']);

/** Opens the settings at the proxy form (the section marks itself with data-section="proxy"). */
function openProxySettings(): void {
  navigate({ name: 'settings' });
  requestAnimationFrame(() => {
    const section = document.querySelector<HTMLElement>('[data-section="proxy"]');
    section?.scrollIntoView({ block: 'start' });
    section?.querySelector<HTMLElement>('input:checked')?.focus();
  });
}

/**
 * A send refused because the route is down. The text stays in the composer — or, when the core stored the
 * message before the route failed, in the chat with "Send again" (nothing is queued either way: a queued
 * message would leave by itself later, when the user may no longer want it to) — and the way to fix it is
 * one click away.
 */
function NotSentRouteDown({ error }: { error: ApiError }) {
  const what =
    error.code === 'PROXY_AUTH_FAILED'
      ? 'the proxy refused the username or password'
      : 'the proxy (or Tor) cannot be reached';
  return (
    <p className="error" role="alert" data-error-code={error.code}>
      Not sent: {what}, and Carapace never connects directly instead.{' '}
      {error.failedMessageId !== undefined
        ? 'Send it again from the chat once the proxy works.'
        : 'Your message stays here.'}{' '}
      <button type="button" onClick={openProxySettings}>
        Proxy settings
      </button>
    </p>
  );
}

export function Composer({
  conversationId,
  contactName,
  files: chosenFiles,
  setFiles,
  mode,
  onModeDone,
}: {
  conversationId: string;
  contactName: string;
  files: File[];
  setFiles: (update: (current: File[]) => File[]) => void;
  /** Replying to or editing a message; files wait (a reply or an edit carries text only). */
  mode: ComposerMode | null;
  onModeDone: () => void;
}) {
  const [body, setBody] = useState('');
  const [modeShown, setModeShown] = useState(mode);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const files = mode ? [] : chosenFiles;
  // Adjusted while rendering: an edit starts from the message's text, and leaving it clears the text.
  if (modeShown !== mode) {
    setModeShown(mode);
    if (mode?.kind === 'edit') setBody(mode.message.body);
    else if (modeShown?.kind === 'edit') setBody('');
  }
  useEffect(() => {
    if (mode) textRef.current?.focus();
  }, [mode]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [viewOnce, setViewOnce] = useState(false);
  const id = useId();
  const fileInputId = useId();
  const viewOnceId = useId();
  const typing = useTypingSender(conversationId);
  // Previews are for text messages, and only while the user turned them on (nothing is fetched otherwise).
  const previewsOn = useStore((s) => s.settings?.linkPreviews === true);
  const linkPreview = useComposerPreview(body, previewsOn && files.length === 0 && mode?.kind !== 'edit');
  const total = files.reduce((n, f) => n + f.size, 0);
  const tooLarge = total > MAX_ATTACHMENT_BYTES;
  const tooMany = files.length > MAX_FILES_PER_MESSAGE;
  // View-once is for a single photo or video.
  const viewOnceAllowed = files.length === 1 && /^(image|video)\//.test(files[0]?.type ?? '');
  // Adjusted while rendering, not in an effect: the toggle starts off again for the next single photo.
  if (!viewOnceAllowed && viewOnce) setViewOnce(false);

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const text = body.trim();
    if ((!text && files.length === 0) || busy || tooLarge || tooMany) return;
    setBusy(true);
    setError(null);
    typing.stop();
    if (mode?.kind === 'edit') {
      const failure = await editMessage(mode.message, text);
      setBusy(false);
      if (failure) return setError(failure);
      onModeDone();
      return;
    }
    const result =
      files.length > 0
        ? await sendFiles({
            conversationId,
            files,
            ...(text ? { body: text } : {}),
            ...(viewOnce && viewOnceAllowed ? { viewOnce: true } : {}),
          })
        : await getApi().messages.send({
            conversationId,
            body: text,
            ...(mode?.kind === 'reply' ? { replyTo: mode.message.id } : {}),
            ...(linkPreview.state.status === 'ready'
              ? { preview: outgoingPreview(linkPreview.state.preview) }
              : {}),
          });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      // Stored and failed: it waits in the timeline with "Send again", so the composer starts afresh (a
      // second copy typed here would go out twice). Nothing stored (e.g. the route was down): keep it all.
      if (result.error.failedMessageId !== undefined) clear();
      return;
    }
    clear();
    addMessage(result.value);
  };

  const clear = () => {
    setBody('');
    if (mode) onModeDone();
    else setFiles(() => []);
    setViewOnce(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape' && mode) {
      event.preventDefault();
      onModeDone();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form className="composer" onSubmit={(e) => void send(e)}>
      {mode ? <ComposerModeBar mode={mode} contactName={contactName} onCancel={onModeDone} /> : null}
      <ComposerPreviewCard state={linkPreview.state} onRemove={linkPreview.remove} />
      {files.length > 0 ? (
        <ul className="pending-files" aria-label="Files to send">
          {files.map((file, index) => (
            <li key={`${file.name}-${index}`} className="file-chip">
              <span className="file-name">{file.name || 'file'}</span>{' '}
              <span className="muted">{formatSize(file.size)}</span>
              <button
                type="button"
                aria-label={`Remove ${file.name || 'file'}`}
                onClick={() => setFiles((current) => current.filter((_, i) => i !== index))}
              >
                ×
              </button>
            </li>
          ))}
          {viewOnceAllowed ? (
            <li>
              <label htmlFor={viewOnceId} className="inline">
                <input
                  id={viewOnceId}
                  type="checkbox"
                  checked={viewOnce}
                  onChange={(e) => setViewOnce(e.target.checked)}
                />
                View once (they can open it one time)
              </label>
            </li>
          ) : null}
          {tooLarge ? (
            <li className="error" role="alert">
              Too large: attachments are limited to 100 MiB together.
            </li>
          ) : null}
          {tooMany ? (
            <li className="error" role="alert">
              At most {MAX_FILES_PER_MESSAGE} files per message.
            </li>
          ) : null}
        </ul>
      ) : null}
      {mode ? (
        <span />
      ) : (
        <>
          <label htmlFor={fileInputId} className="button attach">
            Attach files
          </label>
          <input
            id={fileInputId}
            type="file"
            multiple
            className="visually-hidden"
            onChange={(e) => {
              const picked = Array.from(e.target.files ?? []);
              e.target.value = '';
              if (picked.length > 0) setFiles((current) => [...current, ...picked]);
            }}
          />
        </>
      )}
      <label htmlFor={id} className="visually-hidden">
        Message
      </label>
      <textarea
        ref={textRef}
        id={id}
        rows={2}
        placeholder="Message (Enter to send, Shift+Enter for a new line)"
        value={body}
        onChange={(e) => {
          setBody(e.target.value);
          typing.keystroke(e.target.value);
        }}
        onKeyDown={onKeyDown}
        maxLength={4000}
      />
      <button
        type="submit"
        className="primary"
        disabled={(!body.trim() && files.length === 0) || busy || tooLarge || tooMany}
      >
        {mode?.kind === 'edit' ? 'Save' : 'Send'}
      </button>
      {error && ROUTE_FAILURES.has(error.code) ? (
        <NotSentRouteDown error={error} />
      ) : (
        <ErrorText error={error} />
      )}
    </form>
  );
}
