import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ApiError } from '../../src/api/contract.js';
import { getApi } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';
import { addMessage } from '../store.js';

/** While typing, "started" is repeated at this interval; after this long without a keystroke, "stopped". */
const TYPING_REPEAT_MS = 10_000;
const TYPING_IDLE_MS = 3_000;

/** Our typing indicator for one conversation: best effort, errors ignored (it is only a hint). */
function useTypingSender(conversationId: string) {
  const lastStarted = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const stop = () => {
    if (idle.current) clearTimeout(idle.current);
    idle.current = null;
    if (lastStarted.current === 0) return;
    lastStarted.current = 0;
    void getApi().typing.send({ conversationId, started: false });
  };
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
  useEffect(() => () => stop(), [conversationId]);
  return { keystroke, stop };
}

export function Composer({ conversationId }: { conversationId: string }) {
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const id = useId();
  const typing = useTypingSender(conversationId);

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const text = body.trim();
    if (!text || busy) return;
    setBusy(true);
    setError(null);
    typing.stop();
    const result = await getApi().messages.send({ conversationId, body: text });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setBody('');
    addMessage(result.value);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form className="composer" onSubmit={(e) => void send(e)}>
      <label htmlFor={id} className="visually-hidden">
        Message
      </label>
      <textarea
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
      <button type="submit" className="primary" disabled={!body.trim() || busy}>
        Send
      </button>
      <ErrorText error={error} />
    </form>
  );
}
