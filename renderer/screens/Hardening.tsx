import { useEffect, useState } from 'react';
import type { ApiError, AuditReport, SettingChange } from '../../src/api/contract.js';
import { getApi } from '../bridge.js';
import { ChangeList } from '../components/ChangeList.js';
import { ErrorText } from '../components/ErrorText.js';
import { openSetting, type SettingTarget } from '../components/focus-setting.js';
import { useStore } from '../store.js';

type AuditStatus = AuditReport['items'][number]['status'];
/** "Not available here" is neither a ✓ nor advice: it is not counted in the open recommendations. */
const STATUS_LABEL: Readonly<Record<AuditStatus, string>> = {
  ok: 'OK',
  advice: 'Advice',
  unavailable: 'Not available here',
};
const STATUS_MARK: Readonly<Record<AuditStatus, string>> = { ok: '✓', advice: '!', unavailable: '–' };

/** Where each item is set (the settings screen's words), so advice links straight to its control. */
const SETTING_OF: Readonly<Record<string, SettingTarget>> = {
  'pin-set': { label: 'New PIN', headingId: 'pin-title' },
  'pin-strength': { label: 'New PIN', headingId: 'pin-title' },
  'registration-lock': { label: 'Registration lock', headingId: 'pin-title' },
  'disappearing-default': { label: 'Disappearing messages', headingId: 'privacy-title' },
  'link-previews': { label: 'Generate link previews', headingId: 'privacy-title' },
  'notification-privacy': { label: 'Notification content', headingId: 'privacy-title' },
  'unknown-senders': { label: 'Messages from unknown senders', headingId: 'privacy-title' },
  'screen-lock': { label: 'Lock automatically after inactivity', headingId: 'security-title' },
  'screen-security': { label: 'Screen security', headingId: 'security-title' },
  proxy: { headingId: 'proxy-settings' },
  passphrase: { label: 'New passphrase', headingId: 'passphrase-title' },
};

/**
 * The hardening report: each protection with why it matters (OK items too), advice linked to its setting,
 * and "apply recommended" for what needs no input — listing exactly what it changed, with an undo.
 */
export function Hardening() {
  const audit = useStore((s) => s.audit);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<{ undone: boolean; changes: SettingChange[] } | null>(null);

  useEffect(() => {
    void getApi()
      .audit.get()
      .then((result) => {
        if (result.ok) useStore.setState({ audit: result.value });
        else setError(result.error);
      });
  }, []);

  const run = async (undo: boolean) => {
    setBusy(true);
    setError(null);
    const api = getApi();
    const result = undo ? await api.audit.undoRecommended() : await api.audit.applyRecommended();
    setBusy(false);
    if (!result.ok) return setError(result.error);
    show(result.value, undo);
    const settings = await api.settings.get();
    if (settings.ok) useStore.setState({ settings: settings.value });
  };
  const show = (report: AuditReport, undone: boolean) => {
    useStore.setState({ audit: report });
    setLast({ undone, changes: report.changes ?? [] });
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
            {audit.items.map((item) => {
              const target = SETTING_OF[item.id];
              return (
                <li key={item.id} className={`audit-item ${item.status}`} data-audit-id={item.id}>
                  <span className="audit-status" aria-label={STATUS_LABEL[item.status]}>
                    {STATUS_MARK[item.status]}
                  </span>
                  <div>
                    <strong>{item.title}</strong>
                    {item.status === 'unavailable' ? (
                      <span className="audit-unavailable"> — Not available here</span>
                    ) : null}
                    {item.why ? <p className="why">{item.why}</p> : null}
                    {item.advice ? <p className="muted">{item.advice}</p> : null}
                    {item.status === 'advice' && target ? (
                      <button
                        type="button"
                        className="link-button"
                        aria-label={`Open the setting: ${item.title}`}
                        onClick={() => openSetting(target)}
                      >
                        Open the setting
                      </button>
                    ) : null}
                  </div>
                </li>
              );
            })}
          </ul>
          <div className="row">
            <button type="button" className="primary" disabled={busy} onClick={() => void run(false)}>
              Apply recommended settings
            </button>
            {last && !last.undone && last.changes.length > 0 ? (
              <button type="button" disabled={busy} onClick={() => void run(true)}>
                Undo
              </button>
            ) : null}
          </div>
          {last ? (
            <ChangeList
              title={last.undone ? 'Undone — back as before:' : 'Changed:'}
              changes={last.changes}
            />
          ) : null}
          <p className="muted">
            This changes only settings that need no input from you. A PIN, registration lock and a proxy stay
            as advice.
          </p>
        </>
      ) : null}
    </div>
  );
}
