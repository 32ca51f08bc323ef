import { useStore } from './store.js';
import { FirstRun } from './screens/FirstRun.js';
import { Unlock } from './screens/Unlock.js';
import { Main } from './screens/Main.js';

export function App() {
  const vaultState = useStore((s) => s.vaultState);
  if (vaultState === 'unknown') return <p className="loading">Starting Carapace…</p>;
  if (vaultState === 'disconnected') {
    return (
      <main className="center-card">
        <div className="card" role="alert">
          <h1>Not connected</h1>
          <p>The Carapace core is not reachable. Restart the app (or the harness) and reload.</p>
        </div>
      </main>
    );
  }
  if (vaultState === 'uninitialized') return <FirstRun />;
  if (vaultState === 'locked') return <Unlock />;
  return <Main />;
}
