import type { Conversation } from '../../../src/api/contract.js';

/** At the very start of a chat's history (Signal's "conversation hero"): what protects these messages. */
export function EncryptionNotice({ conversation }: { conversation: Conversation }) {
  return (
    <div className="encryption-notice">
      <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
        <rect x="3" y="7" width="10" height="7.5" rx="1.5" className="lock-body" />
        <path d="M5.2 7V5a2.8 2.8 0 0 1 5.6 0v2" className="lock-shackle" />
      </svg>
      <p>
        Messages with {conversation.title} are end-to-end encrypted: no one outside this chat, not even
        Carapace or Signal, can read them. Compare your safety numbers to be sure no one is in between.
      </p>
    </div>
  );
}
