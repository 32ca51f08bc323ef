import { useEffect, useState } from 'react';
import type { ApiError, SettingChange } from '../../src/api/contract.js';
import { getApi, navigate } from '../bridge.js';
import { ChangeList } from '../components/ChangeList.js';
import { ErrorText } from '../components/ErrorText.js';
import { useStore } from '../store.js';
import { MetadataDemo } from './workshop/MetadataDemo.js';
import { Scenarios } from './workshop/Scenarios.js';

type Shown = { title: string; changes: SettingChange[] };

/**
 * The trainer's workshop (demo network only): switch this profile to what a typical messenger ships with
 * and back, and apply the recommended settings with an undo — each switch lists exactly what it changed,
 * so a room can see every protection before and after in the hardening report; simulated contacts act out
 * scenarios, and a photo with GPS shows what a contact receives.
 */
export function Workshop() {
  const [typical, setTypical] = useState<boolean | null>(null);
  const [recommendedApplied, setRecommendedApplied] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    void getApi()
      .workshop.status()
      .then((result) => {
        if (result.ok) setTypical(result.value.typicalDefaults);
        else setError(result.error);
      });
  }, []);

  const run = async (what: 'typical' | 'restore' | 'apply' | 'undo') => {
    setBusy(true);
    setError(null);
    const api = getApi();
    try {
      if (what === 'typical' || what === 'restore') {
        const result =
          what === 'typical' ? await api.workshop.typicalDefaults() : await api.workshop.restore();
        if (!result.ok) return setError(result.error);
        setTypical(result.value.typicalDefaults);
        setRecommendedApplied(false);
        setShown({
          title: what === 'typical' ? 'Switched to typical defaults:' : 'Your settings are back:',
          changes: result.value.changes,
        });
      } else {
        const result =
          what === 'apply' ? await api.audit.applyRecommended() : await api.audit.undoRecommended();
        if (!result.ok) return setError(result.error);
        useStore.setState({ audit: result.value });
        setRecommendedApplied(what === 'apply' && (result.value.changes?.length ?? 0) > 0);
        setShown({
          title: what === 'apply' ? 'Applied the recommended settings:' : 'Undone — back as before:',
          changes: result.value.changes ?? [],
        });
      }
      const settings = await api.settings.get();
      if (settings.ok) useStore.setState({ settings: settings.value });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel stack" aria-labelledby="workshop-title">
      <h2 id="workshop-title">Workshop</h2>
      <p className="muted">
        For trainers, on the demo network only: show a room each protection off and on. Open the hardening
        report after each step to compare.
      </p>
      <ErrorText error={error} />
      <section className="stack" aria-labelledby="workshop-preset">
        <h3 id="workshop-preset">Typical defaults</h3>
        <p>
          Switch this profile to what a typical messenger ships with: link previews on, names and messages in
          notifications, no screen lock, messages from anyone. Your settings are kept and come back with one
          click.
        </p>
        <div className="row">
          {typical ? (
            <button type="button" className="primary" disabled={busy} onClick={() => void run('restore')}>
              Restore my settings
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              disabled={busy || typical === null}
              onClick={() => void run('typical')}
            >
              Switch to typical defaults
            </button>
          )}
          <button type="button" onClick={() => navigate({ name: 'hardening' })}>
            Open the hardening report
          </button>
        </div>
      </section>
      <section className="stack" aria-labelledby="workshop-recommended">
        <h3 id="workshop-recommended">Recommended settings</h3>
        <p>
          Apply what the hardening report recommends and needs no input; the list says exactly what changed.
        </p>
        <div className="row">
          <button type="button" disabled={busy} onClick={() => void run('apply')}>
            Apply recommended
          </button>
          {recommendedApplied ? (
            <button type="button" disabled={busy} onClick={() => void run('undo')}>
              Undo
            </button>
          ) : null}
        </div>
      </section>
      {shown ? <ChangeList title={shown.title} changes={shown.changes} /> : null}
      <Scenarios />
      <MetadataDemo />
    </div>
  );
}
