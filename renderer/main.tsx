// Keep first: configures zod before any schema module is evaluated (see the file).
import '../src/api/zod-jitless.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connect, getApi } from './bridge.js';
import { installHarnessApi } from './harness-client.js';
import { useStore } from './store.js';

const ACTIVITY_THROTTLE_MS = 15_000;

function trackActivity(): void {
  let last = 0;
  const touch = () => {
    const now = Date.now();
    if (now - last < ACTIVITY_THROTTLE_MS || useStore.getState().vaultState !== 'unlocked') return;
    last = now;
    void getApi().activity.touch();
  };
  for (const type of ['keydown', 'pointerdown', 'wheel'] as const) {
    window.addEventListener(type, touch, { passive: true, capture: true });
  }
}

async function start(): Promise<void> {
  const rootElement = document.getElementById('root');
  if (!rootElement) return;
  createRoot(rootElement).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  try {
    if (!window.carapace) await installHarnessApi();
  } catch {
    // Falls through to the disconnected screen below.
  }
  if (!window.carapace) {
    useStore.setState({ vaultState: 'disconnected' });
    return;
  }
  await connect(window.carapace);
  trackActivity();
}

void start();
