import { useEffect, useState } from 'react';
import type { ApiError } from '../../src/api/contract.js';
import { getApi } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';
import { useStore } from '../store.js';

/** The hardening report: each audit item ok/advice, and "apply recommended" for what needs no input. */
export function Hardening() {
  const audit = useStore((s) => s.audit);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void getApi()
      .audit.get()
      .then((result) => {
        if (result.ok) useStore.setState({ audit: result.value });
        else setError(result.error);
      });
  }, []);

  const apply = async () => {
    setBusy(true);
    setError(null);
    const result = await getApi().audit.applyRecommended();
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    useStore.setState({ audit: result.value });
    const settings = await getApi().settings.get();
    if (settings.ok) useStore.setState({ settings: settings.value });
  };

  const advice = audit?.items.filter((i) => i.status === 'advice').length ?? 0;
  return (
    <div className="panel" aria-labelledby="hardening-title">
      <h2 id="hardening-title">Hardening report</h2>
      <ErrorText error={error} />
      {audit ? (
        <>
          <p className="summary" aria-live="polite">
            {advice === 0 ? 'Everything is set as recommended.' : `${advice} recommendation(s) open.`}
          </p>
          <ul className="audit-list">
            {audit.items.map((item) => (
              <li key={item.id} className={`audit-item ${item.status}`} data-audit-id={item.id}>
                <span className="audit-status" aria-label={item.status === 'ok' ? 'OK' : 'Advice'}>
                  {item.status === 'ok' ? '✓' : '!'}
                </span>
                <div>
                  <strong>{item.title}</strong>
                  {item.status === 'advice' ? <p className="muted">{item.advice}</p> : null}
                </div>
              </li>
            ))}
          </ul>
          <button type="button" className="primary" disabled={busy} onClick={() => void apply()}>
            Apply recommended settings
          </button>
          <p className="muted">
            This changes only settings that need no input from you. A PIN, registration lock and a proxy stay
            as advice.
          </p>
        </>
      ) : null}
    </div>
  );
}
