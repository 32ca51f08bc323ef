import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../../../src/api/contract.js';
import { refreshConversations } from '../../bridge.js';
import { useStore } from '../../store.js';
import { groupsApi, type Group } from './group-api.js';

/**
 * The full group (members, roles, who invited us) for one conversation, loaded with groups.get and loaded
 * again when the conversation changes (a change arrived: its list row was updated). `apply` takes the
 * group a command answered and refreshes the list (title, member count, membership).
 */
export function useGroup(conversationId: string) {
  const revisionKey = useStore((s) => s.conversations[conversationId]);
  const [group, setGroup] = useState<Group | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let live = true;
    void groupsApi()
      .get({ conversationId })
      .then((result) => {
        if (!live) return;
        if (result.ok) setGroup(result.value);
        else setError(result.error);
      });
    return () => {
      live = false;
    };
  }, [conversationId, revisionKey]);

  const apply = useCallback((next: Group) => {
    setGroup(next);
    void refreshConversations();
  }, []);

  return { group, error, setError, apply };
}
