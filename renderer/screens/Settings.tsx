import { useEffect, useId, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  AUTO_LOCK_SECONDS,
  DISAPPEARING_TIMER_SECONDS,
  durationLabel,
  type ApiError,
  type PinCheck,
  type ProxySetting,
  type SettingsPatch,
} from '../../src/api/contract.js';
import { getApi, refreshAccount, refreshPinReminder } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';
import { StrengthMeter } from '../components/StrengthMeter.js';
import { MIN_PASSPHRASE_BITS } from '../components/strength.js';
import { usePassphraseBits } from '../components/usePassphraseBits.js';
import { useStore } from '../store.js';

const PRIVACY_LABELS = {
  'name-and-message': 'Name and message',
  'name-only': 'Name only',
  'no-name-or-message': 'No name or message',
} as const;
const UNKNOWN_LABELS = {
  off: 'Allow messages from anyone',
  'hold-as-request': 'Hold as message requests (no receipts until you accept)',
  drop: 'Drop messages from unknown senders',
} as const;

function useUpdate(): [(patch: SettingsPatch) => Promise<boolean>, ApiError | null] {
  const [error, setError] = useState<ApiError | null>(null);
  const update = async (patch: SettingsPatch) => {
    setError(null);
    const result = await getApi().settings.update({ patch });
    if (!result.ok) {
      setError(result.error);
      return false;
    }
    useStore.setState({ settings: result.value });
    return true;
  };
  return [update, error];
}

function ProxyForm({ proxy }: { proxy: ProxySetting }) {
  const [update, error] = useUpdate();
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

function PinSection() {
  const account = useStore((s) => s.account);
  const [pin, setPin] = useState('');
  const [lastCheck, setCheck] = useState<PinCheck | null>(null);
  const check = pin ? lastCheck : null;
  const [acceptWeak, setAcceptWeak] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const ids = { pin: useId(), weak: useId(), lock: useId(), check: useId() };

  useEffect(() => {
    if (!pin) return;
    let live = true;
    const timer = setTimeout(() => {
      void getApi()
        .pin.check({ pin })
        .then((result) => {
          if (live && result.ok) setCheck(result.value);
        });
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [pin]);

  const generate = async () => {
    const result = await getApi().pin.generate();
    if (result.ok) setPin(result.value.pin);
    else setError(result.error);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setMessage(null);
    const result = await getApi().pin.set({ pin, acceptWeak });
    if (!result.ok) return setError(result.error);
    setPin('');
    setAcceptWeak(false);
    setMessage('PIN saved.');
    useStore.setState({ account: result.value });
    await refreshPinReminder();
  };

  const setLock = async (enabled: boolean) => {
    setError(null);
    const result = await getApi().registrationLock.set({ enabled });
    if (!result.ok) return setError(result.error);
    useStore.setState({ account: result.value });
    await refreshAccount();
  };

  return (
    <section className="stack" aria-labelledby="pin-title">
      <h3 id="pin-title">Signal PIN and registration lock</h3>
      <p className="muted">
        Your PIN protects your account backup and the registration lock. If Signal&apos;s secure enclave were
        ever broken, a short PIN could be guessed offline: use 20 or more random letters and digits.
        {account?.pinSet ? ' A PIN is set.' : ' No PIN is set yet.'}
      </p>
      <form onSubmit={(e) => void save(e)} className="stack">
        <label htmlFor={ids.pin}>New PIN</label>
        <div className="row">
          <input
            id={ids.pin}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            aria-describedby={ids.check}
          />
          <button type="button" onClick={() => void generate()}>
            Generate strong PIN
          </button>
        </div>
        <div id={ids.check} aria-live="polite">
          {check ? (
            <p className={check.verdict === 'ok' ? 'ok' : 'hint'}>
              {check.verdict === 'ok'
                ? `Strong PIN (about ${Math.round(check.bits)} bits).`
                : check.verdict === 'refused'
                  ? `This PIN is refused: ${check.reasons.join(' ')}`
                  : `Weak PIN (about ${Math.round(check.bits)} bits): ${check.reasons.join(' ')}`}
            </p>
          ) : null}
        </div>
        {check?.verdict === 'weak-needs-confirmation' ? (
          <label htmlFor={ids.weak} className="inline">
            <input
              id={ids.weak}
              type="checkbox"
              checked={acceptWeak}
              onChange={(e) => setAcceptWeak(e.target.checked)}
            />
            I understand a weak PIN can be brute-forced if the enclave is compromised
          </label>
        ) : null}
        <button
          type="submit"
          disabled={
            !pin ||
            check?.verdict === 'refused' ||
            (check?.verdict === 'weak-needs-confirmation' && !acceptWeak)
          }
        >
          Set PIN
        </button>
      </form>
      <label htmlFor={ids.lock} className="inline">
        <input
          id={ids.lock}
          type="checkbox"
          checked={account?.registrationLock ?? false}
          disabled={!account?.pinSet}
          onChange={(e) => void setLock(e.target.checked)}
        />
        Registration lock (re-registering your number needs the PIN)
      </label>
      <ErrorText error={error} />
      {message ? (
        <p className="ok" role="status">
          {message}
        </p>
      ) : null}
    </section>
  );
}

function PassphraseSection() {
  // Both passphrases live only in this component's state until sent.
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const ids = { current: useId(), next: useId() };
  const bits = usePassphraseBits(next);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(false);
    const result = await getApi().vault.changePassphrase({ current, next });
    setBusy(false);
    setCurrent('');
    setNext('');
    if (!result.ok) return setError(result.error);
    setDone(true);
  };

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby="passphrase-title">
      <h3 id="passphrase-title">Passphrase</h3>
      <label htmlFor={ids.current}>Current passphrase</label>
      <input
        id={ids.current}
        type="password"
        autoComplete="current-password"
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
      />
      <label htmlFor={ids.next}>New passphrase</label>
      <input
        id={ids.next}
        type="password"
        autoComplete="new-password"
        value={next}
        onChange={(e) => setNext(e.target.value)}
      />
      {next ? <StrengthMeter bits={bits} id={`${ids.next}-meter`} /> : null}
      <ErrorText error={error} />
      <button type="submit" disabled={busy || !current || bits === null || bits < MIN_PASSPHRASE_BITS}>
        {busy ? 'Re-encrypting…' : 'Change passphrase'}
      </button>
      {done ? (
        <p className="ok" role="status">
          Passphrase changed.
        </p>
      ) : null}
    </form>
  );
}

export function SettingsScreen() {
  const { settings, appInfo } = useStore(useShallow((s) => ({ settings: s.settings, appInfo: s.appInfo })));
  const [update, error] = useUpdate();
  const ids = {
    disappearing: useId(),
    autolock: useId(),
    suspend: useId(),
    previews: useId(),
    privacy: useId(),
    screen: useId(),
    unknown: useId(),
  };
  if (!settings) return <p className="muted">Loading settings…</p>;
  const screenSupported = appInfo?.screenSecuritySupported ?? false;

  return (
    <div className="panel settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <ErrorText error={error} />
      <section className="stack" aria-labelledby="privacy-title">
        <h3 id="privacy-title">Privacy</h3>
        <label htmlFor={ids.disappearing}>Disappearing messages (default for new chats)</label>
        <select
          id={ids.disappearing}
          value={settings.disappearingDefaultSeconds}
          onChange={(e) =>
            void update({
              disappearingDefaultSeconds: Number(
                e.target.value,
              ) as (typeof DISAPPEARING_TIMER_SECONDS)[number],
            })
          }
        >
          {DISAPPEARING_TIMER_SECONDS.map((s) => (
            <option key={s} value={s}>
              {durationLabel(s)}
            </option>
          ))}
        </select>
        <p className="muted">Each chat can override this in its header.</p>

        <label htmlFor={ids.previews} className="inline">
          <input
            id={ids.previews}
            type="checkbox"
            checked={settings.linkPreviews}
            onChange={(e) => void update({ linkPreviews: e.target.checked })}
          />
          Generate link previews (fetches the page: the site learns your IP unless you use a proxy)
        </label>

        <label htmlFor={ids.unknown}>Messages from unknown senders</label>
        <select
          id={ids.unknown}
          value={settings.blockUnknownSenders}
          onChange={(e) =>
            void update({ blockUnknownSenders: e.target.value as keyof typeof UNKNOWN_LABELS })
          }
        >
          {Object.entries(UNKNOWN_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>

        <label htmlFor={ids.privacy}>Notification content</label>
        <select
          id={ids.privacy}
          value={settings.notificationPrivacy}
          onChange={(e) =>
            void update({ notificationPrivacy: e.target.value as keyof typeof PRIVACY_LABELS })
          }
        >
          {Object.entries(PRIVACY_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </section>

      <section className="stack" aria-labelledby="security-title">
        <h3 id="security-title">Screen lock and security</h3>
        <label htmlFor={ids.autolock}>Lock automatically after inactivity</label>
        <select
          id={ids.autolock}
          value={settings.autoLockSeconds}
          onChange={(e) =>
            void update({ autoLockSeconds: Number(e.target.value) as (typeof AUTO_LOCK_SECONDS)[number] })
          }
        >
          {AUTO_LOCK_SECONDS.map((s) => (
            <option key={s} value={s}>
              {s === 0 ? 'never' : durationLabel(s)}
            </option>
          ))}
        </select>
        <label htmlFor={ids.suspend} className="inline">
          <input
            id={ids.suspend}
            type="checkbox"
            checked={settings.lockOnSuspend}
            onChange={(e) => void update({ lockOnSuspend: e.target.checked })}
          />
          Lock when the computer sleeps or the screen locks
        </label>
        <label htmlFor={ids.screen} className="inline">
          <input
            id={ids.screen}
            type="checkbox"
            checked={settings.screenSecurity}
            onChange={(e) => void update({ screenSecurity: e.target.checked })}
          />
          Screen security (block screenshots and screen recording of Carapace)
        </label>
        {!screenSupported ? (
          <p className="hint" data-testid="screen-security-note">
            Screen security is not available on Linux (or in the web harness): the system offers no content
            protection. It works on macOS and Windows.
          </p>
        ) : null}
      </section>

      <ProxyForm proxy={settings.proxy} />
      <PinSection />
      <PassphraseSection />
    </div>
  );
}
