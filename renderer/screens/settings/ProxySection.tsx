import { useId, useState, type FormEvent } from 'react';
import type { ProxyPatch, ProxyView } from '../../../src/api/contract.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useSettingsUpdate } from './useSettingsUpdate.js';

/**
 * The route form. The proxy password is write-only: the core never sends it here, the form says whether
 * one is saved; an empty field keeps it (for the same host, port and username), "Remove" clears it.
 */
export function ProxySection({ proxy }: { proxy: ProxyView }) {
  const [update, error] = useSettingsUpdate();
  const [mode, setMode] = useState<ProxyView['mode']>(proxy.mode);
  const [host, setHost] = useState(proxy.mode === 'socks5' ? proxy.host : '');
  const [port, setPort] = useState(proxy.mode === 'socks5' ? String(proxy.port) : '1080');
  const [username, setUsername] = useState(proxy.mode === 'socks5' ? (proxy.username ?? '') : '');
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [saved, setSaved] = useState(false);
  const ids = { host: useId(), port: useId(), user: useId(), pass: useId(), group: useId(), note: useId() };
  const hasPassword = proxy.mode === 'socks5' && proxy.hasPassword;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const next: ProxyPatch =
      mode === 'socks5'
        ? {
            mode,
            host: host.trim(),
            port: Number(port),
            ...(username ? { username } : {}),
            ...(password ? { password } : removePassword ? { password: null } : {}),
          }
        : { mode };
    if (await update({ proxy: next })) {
      setPassword('');
      setRemovePassword(false);
      setSaved(true);
    }
  };

  return (
    <form onSubmit={(e) => void save(e)} className="stack" aria-labelledby={ids.group}>
      <h3 id={ids.group}>Proxy</h3>
      <p className="muted">
        With a proxy set, every connection goes through it; if it is down, Carapace does not connect at all
        (it never falls back to a direct connection).
      </p>
      <fieldset>
        <legend>Route</legend>
        {(['none', 'socks5', 'tor'] as const).map((m) => (
          <label key={m} className="inline">
            <input
              type="radio"
              name="proxy-mode"
              value={m}
              checked={mode === m}
              onChange={() => setMode(m)}
            />
            {m === 'none' ? 'Direct' : m === 'socks5' ? 'SOCKS5 proxy' : 'Tor (127.0.0.1:9050)'}
          </label>
        ))}
      </fieldset>
      {mode === 'socks5' ? (
        <div className="grid2">
          <label htmlFor={ids.host}>Host</label>
          <input id={ids.host} value={host} onChange={(e) => setHost(e.target.value)} />
          <label htmlFor={ids.port}>Port</label>
          <input id={ids.port} inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
          <label htmlFor={ids.user}>Username (optional)</label>
          <input id={ids.user} value={username} onChange={(e) => setUsername(e.target.value)} />
          <label htmlFor={ids.pass}>{hasPassword ? 'New password (optional)' : 'Password (optional)'}</label>
          <input
            id={ids.pass}
            type="password"
            autoComplete="off"
            value={password}
            disabled={removePassword}
            aria-describedby={hasPassword ? ids.note : undefined}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
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
