import { useId, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import type { ApiError } from '../../src/api/contract.js';
import { getApi, openConversation } from '../bridge.js';
import { classifyChatTarget, type ChatTarget } from '../components/account/chat-target.js';
import { readQrFromImage } from '../components/account/qr.js';
import { ErrorText } from '../components/ErrorText.js';
import { useFocusFirstInvalid } from '../components/field-errors.js';
import { upsertConversation, useStore } from '../store.js';
import { DialogButton } from '../components/group/DialogButton.js';
import { NewGroupDialog } from './group/NewGroup.js';
import '../styles/account.css';

/** The one error the form shows: the core's typed answer, or what the renderer found in a picture. */
type Problem = { api: ApiError } | { local: string };

const NO_QR = 'No QR code was found in that picture. Try a sharper or larger image of the code.';

/**
 * Start a chat with a username (`name.42`), a username link (pasted, or read from a picture of its QR
 * code), a phone number (only where this build can look numbers up, and only with consent each time: the
 * number is sent to the service) or a Signal ID.
 */
export function NewChat() {
  const numbersAvailable = useStore((s) => s.appInfo?.capabilities.phoneNumberLookup ?? false);
  // Nobody can be reached before this computer is registered (issue 17: guided first run).
  const registered = useStore((s) => s.account?.registered ?? false);
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [consent, setConsent] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const ids = {
    input: useId(),
    hint: useId(),
    name: useId(),
    consent: useId(),
    file: useId(),
    error: useId(),
  };
  const target = classifyChatTarget(text);
  const apiError = problem && 'api' in problem ? problem.api : null;
  useFocusFirstInvalid(apiError, form);

  const start = async (chosen: ChatTarget): Promise<void> => {
    setBusy(true);
    setProblem(null);
    const result = await getApi().conversations.start(toInput(chosen, name.trim(), consent));
    setBusy(false);
    if (!result.ok) {
      setProblem({ api: result.error });
      return;
    }
    setText('');
    setName('');
    setConsent(false);
    upsertConversation(result.value);
    await openConversation(result.value.id);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (target) void start(target);
  };

  const readImage = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setProblem(null);
    const link = await readQrFromImage(file);
    if (link === null) {
      setProblem({ local: NO_QR });
      return;
    }
    setText(link);
    const found = classifyChatTarget(link);
    // Any QR text goes to the core as a link: it says clearly when the code is not a username link.
    await start(found?.kind === 'usernameLink' ? found : { kind: 'usernameLink', usernameLink: link });
  };

  const invalid = apiError?.code === 'INVALID_INPUT' || apiError?.code === 'NOT_FOUND';
  // Consent is asked only where a number can be looked up; elsewhere the core says to use a username.
  const askConsent = numbersAvailable && target?.kind === 'e164';
  return (
    <form ref={form} className="new-chat" onSubmit={submit}>
      <label htmlFor={ids.input}>New chat</label>
      <p className="hint" id={ids.hint}>
        {!registered
          ? 'Register this computer first (Register, at the top); then you can start chats.'
          : numbersAvailable
            ? 'A username (name.42), a username link, a phone number or a Signal ID.'
            : 'A username (name.42), a username link or a Signal ID.'}
      </p>
      <input
        id={ids.input}
        type="text"
        autoComplete="off"
        spellCheck={false}
        placeholder={numbersAvailable ? 'name.42 or +15551234567' : 'name.42'}
        aria-describedby={`${ids.hint}${problem ? ` ${ids.error}` : ''}`}
        aria-invalid={invalid ? true : undefined}
        value={text}
        disabled={!registered}
        onChange={(e) => setText(e.target.value)}
      />
      {askConsent ? (
        <label className="inline consent" htmlFor={ids.consent}>
          <input
            id={ids.consent}
            type="checkbox"
            checked={consent}
            onChange={(e) => setConsent(e.target.checked)}
          />
          Look this number up: it is sent to the service to find the account (hashed, on Signal).
        </label>
      ) : null}
      {target?.kind === 'serviceId' ? (
        <>
          <label htmlFor={ids.name}>Name (optional, kept only on this computer)</label>
          <input id={ids.name} type="text" value={name} onChange={(e) => setName(e.target.value)} />
        </>
      ) : null}
      <div className="row">
        <button type="submit" disabled={!registered || !target || busy || (askConsent && !consent)}>
          {busy ? 'Starting…' : 'Start'}
        </button>
        <DialogButton
          label="New group…"
          disabled={!registered}
          dialog={(close) => <NewGroupDialog onClose={close} />}
        />
        <label className="button qr-file" htmlFor={ids.file}>
          Read QR image…
        </label>
        <input
          id={ids.file}
          className="visually-hidden"
          type="file"
          accept="image/*"
          aria-label="Read a username link from a QR code image"
          onChange={(e) => void readImage(e)}
        />
      </div>
      {problem && 'local' in problem ? (
        <p className="error" role="alert" id={ids.error}>
          {problem.local}
        </p>
      ) : (
        <ErrorText error={apiError} id={ids.error} />
      )}
    </form>
  );
}

function toInput(target: ChatTarget, name: string, consent: boolean) {
  switch (target.kind) {
    case 'serviceId':
      return { serviceId: target.serviceId, ...(name ? { name } : {}) };
    case 'usernameLink':
      return { usernameLink: target.usernameLink };
    case 'username':
      return { username: target.username };
    case 'e164':
      // Where numbers can be looked up, Start waits for the consent box.
      return { e164: target.e164, ...(consent ? { lookupConsent: true as const } : {}) };
  }
}
