/**
 * Starts the UI: renders the app, then connects the bridge to the API the entry provides. Shared by the
 * Electron entry (main.tsx: the preload's window.carapace) and the web harness entry (harness/main.tsx:
 * the loopback WebSocket client), so the harness client never reaches the Electron bundle.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { CarapaceApi } from '../src/api/contract.js';
import { App } from './App.js';
import { connect, getApi } from './bridge.js';
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

/** `resolveApi` runs after the first render (the harness connects over the network meanwhile). */
export async function startApp(resolveApi: () => Promise<CarapaceApi | undefined>): Promise<void> {
  const rootElement = document.getElementById('root');
  if (!rootElement) return;
  createRoot(rootElement).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  let api: CarapaceApi | undefined;
  try {
    api = await resolveApi();
  } catch {
    // Falls through to the disconnected screen below.
  }
  if (!api) {
    useStore.setState({ vaultState: 'disconnected' });
    return;
  }
  await connect(api);
  trackActivity();
}
