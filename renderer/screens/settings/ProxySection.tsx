import { useId, useRef, useState, type FormEvent } from 'react';
import {
  parseSignalProxyLink,
  SIGNAL_TLS_PROXY_DEFAULT_PORT,
  type ProxyPatch,
  type ProxyView,
} from '../../../src/api/contract.js';
import { ErrorText } from '../../components/ErrorText.js';
import { isInvalidField, useFocusFirstInvalid } from '../../components/field-errors.js';
import { useSettingsUpdate } from './useSettingsUpdate.js';

const MODE_LABELS: Readonly<Record<ProxyView['mode'], string>> = {
  none: 'Direct',
  socks5: 'SOCKS5 proxy',
  tor: 'Tor (127.0.0.1:9050)',
  'signal-tls-proxy': 'Signal TLS proxy',
};

/** The port field's first text: the saved port; a Signal TLS proxy's is optional (empty means 443). */
function initialPort(proxy: ProxyView): string {
  if (proxy.mode === 'socks5') return String(proxy.port);
  if (proxy.mode === 'signal-tls-proxy') return proxy.port === undefined ? '' : String(proxy.port);
  return '1080';
}

/**
 * The route form. The proxy password is write-only: the core never sends it here, the form says whether
 * one is saved; an empty field keeps it (for the same host, port and username), "Remove" clears it.
 */
export function ProxySection({ proxy }: { proxy: ProxyView }) {
  const [update, error] = useSettingsUpdate();
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(error, formRef);
  const invalid = (field: string) => isInvalidField(error, `patch.proxy.${field}`);
  const [mode, setMode] = useState<ProxyView['mode']>(proxy.mode);
  const [host, setHost] = useState(
    proxy.mode === 'socks5' || proxy.mode === 'signal-tls-proxy' ? proxy.host : '',
  );
  const [port, setPort] = useState(initialPort(proxy));
  const [link, setLink] = useState('');
  const [linkError, setLinkError] = useState<string | null>(null);
  const [username, setUsername] = useState(proxy.mode === 'socks5' ? (proxy.username ?? '') : '');
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [saved, setSaved] = useState(false);
  const ids = {
    host: useId(),
    port: useId(),
    user: useId(),
    pass: useId(),
    group: useId(),
    note: useId(),
    link: useId(),
    linkError: useId(),
  };
  const hasPassword = proxy.mode === 'socks5' && proxy.hasPassword;

  /** A pasted proxy link fills host and port; the field says why one cannot be used. */
  const readLink = (text: string) => {
    setLink(text);
    if (text.trim() === '') {
      setLinkError(null);
      return;
    }
    const result = parseSignalProxyLink(text);
    if (!result.ok) {
      setLinkError(result.error);
      return;
    }
    setLinkError(null);
    setHost(result.proxy.host);
    setPort(result.proxy.port === undefined ? '' : String(result.proxy.port));
  };

  const routeOf = (): ProxyPatch => {
    if (mode === 'socks5') {
      return {
        mode,
        host: host.trim(),
        port: Number(port),
        ...(username ? { username } : {}),
        ...(password ? { password } : removePassword ? { password: null } : {}),
      };
    }
    if (mode === 'signal-tls-proxy') {
      return { mode, host: host.trim(), ...(port.trim() ? { port: Number(port) } : {}) };
    }
    return { mode };
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    if (await update({ proxy: routeOf() })) {
      setPassword('');
      setRemovePassword(false);
      setSaved(true);
    }
  };

  return (
    <form
      ref={formRef}
      onSubmit={(e) => void save(e)}
      className="stack"
      aria-labelledby={ids.group}
      data-section="proxy"
    >
      <h3 id={ids.group}>Proxy</h3>
      <p className="muted">
        With a proxy set, every connection goes through it; if it is down, Carapace does not connect at all
        (it never falls back to a direct connection).
      </p>
      <fieldset>
        <legend>Route</legend>
        {(['none', 'socks5', 'tor', 'signal-tls-proxy'] as const).map((m) => (
          <label key={m} className="inline">
            <input
              type="radio"
              name="proxy-mode"
              value={m}
              checked={mode === m}
              onChange={() => setMode(m)}
            />
            {MODE_LABELS[m]}
          </label>
        ))}
      </fieldset>
      {mode === 'socks5' ? (
        <div className="grid2">
          <label htmlFor={ids.host}>Host</label>
          <input
            id={ids.host}
            value={host}
            aria-invalid={invalid('host')}
            onChange={(e) => setHost(e.target.value)}
          />
          <label htmlFor={ids.port}>Port</label>
          <input
            id={ids.port}
            inputMode="numeric"
            value={port}
            aria-invalid={invalid('port')}
            onChange={(e) => setPort(e.target.value)}
          />
          <label htmlFor={ids.user}>Username (optional)</label>
          <input
            id={ids.user}
            value={username}
            aria-invalid={invalid('username')}
            onChange={(e) => setUsername(e.target.value)}
          />
          <label htmlFor={ids.pass}>{hasPassword ? 'New password (optional)' : 'Password (optional)'}</label>
          <input
            id={ids.pass}
            type="password"
            autoComplete="off"
            value={password}
            disabled={removePassword}
            aria-invalid={invalid('password')}
            aria-describedby={hasPassword ? ids.note : undefined}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
      ) : null}
      {mode === 'signal-tls-proxy' ? (
        <>
          <p className="muted">
            For networks that block Signal. Your network sees only a connection to the proxy; its operator
            sees your IP address and when you connect, never your messages (they stay encrypted to Signal).
          </p>
          <div className="grid2">
            <label htmlFor={ids.link}>Paste a proxy link</label>
            <input
              id={ids.link}
              value={link}
              placeholder="https://signal.tube/#proxy.example.org"
              aria-invalid={linkError !== null}
              aria-describedby={linkError !== null ? ids.linkError : undefined}
              onChange={(e) => readLink(e.target.value)}
            />
            <label htmlFor={ids.host}>Proxy host</label>
            <input
              id={ids.host}
              value={host}
              aria-invalid={invalid('host')}
              onChange={(e) => setHost(e.target.value)}
            />
            <label htmlFor={ids.port}>Port (optional)</label>
            <input
              id={ids.port}
              inputMode="numeric"
              value={port}
              aria-invalid={invalid('port')}
              placeholder={String(SIGNAL_TLS_PROXY_DEFAULT_PORT)}
              onChange={(e) => setPort(e.target.value)}
            />
          </div>
          {linkError !== null ? (
            <p className="error" role="alert" id={ids.linkError}>
              {linkError}
            </p>
          ) : null}
        </>
      ) : null}
      {mode === 'socks5' && hasPassword ? (
        <>
          <p id={ids.note} className="muted" data-testid="proxy-password-saved">
            A password is saved (it is never shown). Leave the field empty to keep it; it is kept only for the
            same host, port and username.
          </p>
          <label className="inline">
            <input
              type="checkbox"
              checked={removePassword}
              onChange={(e) => {
                setRemovePassword(e.target.checked);
                if (e.target.checked) setPassword('');
              }}
            />
            Remove the saved password
          </label>
        </>
      ) : null}
      <ErrorText error={error} />
      <button type="submit">Save proxy</button>
      {saved ? (
        <p className="ok" role="status">
          Proxy saved.
        </p>
      ) : null}
    </form>
  );
}
