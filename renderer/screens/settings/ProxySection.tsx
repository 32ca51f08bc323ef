import { useId, useState, type FormEvent } from 'react';
import type { ProxySetting } from '../../../src/api/contract.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useSettingsUpdate } from './useSettingsUpdate.js';

export function ProxySection({ proxy }: { proxy: ProxySetting }) {
  const [update, error] = useSettingsUpdate();
  const [mode, setMode] = useState<ProxySetting['mode']>(proxy.mode);
  const [host, setHost] = useState(proxy.mode === 'socks5' ? proxy.host : '');
  const [port, setPort] = useState(proxy.mode === 'socks5' ? String(proxy.port) : '1080');
  const [username, setUsername] = useState(proxy.mode === 'socks5' ? (proxy.username ?? '') : '');
  const [password, setPassword] = useState('');
  const [saved, setSaved] = useState(false);
  const ids = { host: useId(), port: useId(), user: useId(), pass: useId(), group: useId() };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const next: ProxySetting =
      mode === 'socks5'
        ? {
            mode,
            host: host.trim(),
            port: Number(port),
            ...(username ? { username } : {}),
            ...(password ? { password } : {}),
          }
        : { mode };
    if (await update({ proxy: next })) {
      setPassword('');
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
          <label htmlFor={ids.pass}>Password (optional)</label>
          <input
            id={ids.pass}
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
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
