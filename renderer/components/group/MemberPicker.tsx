import { useId, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Conversation } from '../../../src/api/contract.js';
import { sortConversations, useStore } from '../../store.js';
import { groupOf } from './group-api.js';

/** Contacts that can join a group: 1:1 chats with a known account, in our contacts, not blocked. */
function candidates(
  conversations: Record<string, Conversation>,
  exclude: ReadonlySet<string>,
): Conversation[] {
  return sortConversations(conversations)
    .filter((c) => groupOf(c) === null && c.serviceId !== null && c.isContact && !c.blocked)
    .filter((c) => c.serviceId === null || !exclude.has(c.serviceId))
    .sort((a, b) => a.title.localeCompare(b.title));
}

/**
 * Choose contacts for a group: a search field over a list of checkboxes (Tab reaches the list, Space ticks),
 * and the count chosen announced as it changes. `exclude`: service ids already in the group.
 */
export function MemberPicker({
  chosen,
  onChange,
  exclude = new Set(),
}: {
  chosen: readonly string[];
  onChange: (conversationIds: string[]) => void;
  exclude?: ReadonlySet<string>;
}) {
  const conversations = useStore(useShallow((s) => s.conversations));
  const [query, setQuery] = useState('');
  const ids = { search: useId(), legend: useId() };
  const all = useMemo(() => candidates(conversations, exclude), [conversations, exclude]);
  const needle = query.trim().toLocaleLowerCase();
  const shown = needle ? all.filter((c) => c.title.toLocaleLowerCase().includes(needle)) : all;

  const toggle = (id: string, on: boolean) =>
    onChange(on ? [...chosen, id] : chosen.filter((chosenId) => chosenId !== id));

  return (
    <fieldset className="member-picker" aria-describedby={ids.legend}>
      <legend>Members</legend>
      <label htmlFor={ids.search}>Search contacts</label>
      <input
        id={ids.search}
        type="search"
        autoComplete="off"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <p className="muted" id={ids.legend} aria-live="polite">
        {chosen.length === 1 ? '1 contact chosen' : `${chosen.length} contacts chosen`}
      </p>
      {all.length === 0 ? (
        <p className="muted">No contacts to add yet: start a chat with someone first.</p>
      ) : shown.length === 0 ? (
        <p className="muted">No contact matches “{query}”.</p>
      ) : (
        <ul className="member-choices">
          {shown.map((c) => (
            <li key={c.id}>
              <label className="inline">
                <input
                  type="checkbox"
                  checked={chosen.includes(c.id)}
                  onChange={(e) => toggle(c.id, e.target.checked)}
                />
                {c.title}
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
