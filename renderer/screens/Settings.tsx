import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { getApi } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';
import { useStore } from '../store.js';
import { DangerZoneSection } from './settings/DangerZoneSection.js';
import { PassphraseSection } from './settings/PassphraseSection.js';
import { PinSection } from './settings/PinSection.js';
import { PrivacySection } from './settings/PrivacySection.js';
import { ProxySection } from './settings/ProxySection.js';
import { SecuritySection } from './settings/SecuritySection.js';
import { useSettingsUpdate } from './settings/useSettingsUpdate.js';

/** The settings screen: one component per section in ./settings/. */
export function SettingsScreen() {
  const { settings, appInfo } = useStore(useShallow((s) => ({ settings: s.settings, appInfo: s.appInfo })));
  // Privacy and security save through one updater, so their last error shows once, under the title.
  const [update, error] = useSettingsUpdate();
  // The load after unlock can miss them (a request that raced the vault opening): ask again here rather
  // than say "Loading" forever.
  const missing = settings === null;
  useEffect(() => {
    if (!missing) return;
    void getApi()
      .settings.get()
      .then((result) => {
        if (result.ok) useStore.setState({ settings: result.value });
      });
  }, [missing]);
  if (!settings) return <p className="muted">Loading settings…</p>;
  const screenSupported = appInfo?.screenSecuritySupported ?? false;

  return (
    <div className="panel settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <ErrorText error={error} />
      <PrivacySection settings={settings} update={update} />
      <SecuritySection settings={settings} update={update} screenSupported={screenSupported} />
      {/* The hardening report's "Open the setting" for the proxy lands here. */}
      <div id="proxy-settings" tabIndex={-1}>
        <ProxySection proxy={settings.proxy} />
      </div>
      <PinSection />
      <PassphraseSection />
      <DangerZoneSection />
    </div>
  );
}
