import { useShallow } from 'zustand/react/shallow';
import { getApi, navigate } from '../bridge.js';
import { Toasts } from '../components/Toasts.js';
import { useGuide } from '../guide.js';
import { useStore, type View } from '../store.js';
import { AccountScreen } from './Account.js';
import { ConversationList } from './ConversationList.js';
import { ConversationView } from './ConversationView.js';
import { Guide } from './Guide.js';
import { Hardening } from './Hardening.js';
import { PinReminderPrompt } from './PinReminder.js';
import { Registration } from './Registration.js';
import { SafetyNumberScreen } from './SafetyNumber.js';
import { SettingsScreen } from './Settings.js';
import { Workshop } from './Workshop.js';

const NAV: { view: View; label: string }[] = [
  { view: { name: 'chats' }, label: 'Chats' },
  { view: { name: 'account' }, label: 'Account' },
  { view: { name: 'settings' }, label: 'Settings' },
  { view: { name: 'hardening' }, label: 'Hardening report' },
];

const NETWORK_LABELS = {
  offline: 'Offline',
  connecting: 'Connecting…',
  online: 'Connected',
  'proxy-error': 'Proxy unreachable — not connected',
} as const;

export function Main() {
  const { view, openId, appInfo, registered, network } = useStore(
    useShallow((s) => ({
      view: s.view,
      openId: s.openId,
      appInfo: s.appInfo,
      registered: s.account?.registered ?? false,
      network: s.network,
    })),
  );
  // The guided first run takes the empty chat pane until it is finished or closed.
  const guiding = useGuide((g) => g.step !== null) && view.name === 'chats' && openId === null;
  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">Carapace</h1>
        {appInfo?.networkMode === 'demo' ? (
          <span className="badge demo" title="Connected to the local demo network, not Signal">
            Demo network
          </span>
        ) : null}
        <nav aria-label="Main">
          {NAV.map((item) => (
            <button
              key={item.view.name}
              type="button"
              className={view.name === item.view.name ? 'nav active' : 'nav'}
              aria-current={view.name === item.view.name ? 'page' : undefined}
              onClick={() => navigate(item.view)}
            >
              {item.label}
            </button>
          ))}
          {appInfo?.capabilities.workshop ? (
            <button
              type="button"
              className={view.name === 'workshop' ? 'nav active' : 'nav'}
              aria-current={view.name === 'workshop' ? 'page' : undefined}
              onClick={() => navigate({ name: 'workshop' })}
            >
              Workshop
            </button>
          ) : null}
          {!registered ? (
            <button type="button" className="nav" onClick={() => navigate({ name: 'registration' })}>
              Register
            </button>
          ) : null}
        </nav>
        {registered ? (
          <span className={`net net-${network}`} role="status" aria-live="polite">
            {NETWORK_LABELS[network]}
          </span>
        ) : null}
        <button
          type="button"
          className="lock"
          onClick={() => void getApi().vault.lock({ reason: 'user' })}
          aria-label="Lock Carapace now"
        >
          Lock
        </button>
      </header>
      <div className="body">
        {/* Toasts sit over the bottom of the chat list: never over the timeline or the composer. */}
        <div className="sidebar-column">
          <ConversationList />
          <Toasts />
        </div>
        <main className="content" aria-live="off">
          {registered ? <PinReminderPrompt /> : null}
          {view.name === 'chats' ? guiding ? <Guide /> : <ConversationView /> : null}
          {view.name === 'settings' ? <SettingsScreen /> : null}
          {view.name === 'hardening' ? <Hardening /> : null}
          {view.name === 'account' ? <AccountScreen /> : null}
          {view.name === 'workshop' ? <Workshop /> : null}
          {view.name === 'registration' ? <Registration /> : null}
          {view.name === 'safety-number' ? <SafetyNumberScreen conversationId={view.conversationId} /> : null}
        </main>
      </div>
    </div>
  );
}
