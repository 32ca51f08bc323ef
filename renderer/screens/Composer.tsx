import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ApiError } from '../../src/api/contract.js';
import { getApi } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';
import { addMessage } from '../store.js';

export function Composer({ conversationId }: { conversationId: string }) {
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const id = useId();

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const text = body.trim();
    if (!text || busy) return;
    setBusy(true);
    setError(null);
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
        onChange={(e) => setBody(e.target.value)}
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
