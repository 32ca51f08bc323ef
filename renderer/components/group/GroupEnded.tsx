import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../../store.js';
import { groupChangeOf, type GroupChange, type Person } from './group-api.js';
import { howWeLeft, sameServiceId } from './group-text.js';

/**
 * In place of the composer once we are no longer a member: "You left" or "You were removed", from the
 * loaded changes that took us out (history stays; the core refuses sends).
 */
export function GroupEnded() {
  const ourAci = useStore((s) => s.account?.aci ?? null);
  const changes = useStore(
    useShallow((s) => s.messages.map(groupChangeOf).filter((c): c is GroupChange => c !== null)),
  );
  const isUs = (person: Person) => ourAci !== null && sameServiceId(person.serviceId, ourAci);
  return (
    <p className="group-ended" role="status">
      {howWeLeft(changes, isUs) === 'removed'
        ? 'You were removed from this group. You can no longer send messages to it.'
        : 'You left this group. You can no longer send messages to it.'}
    </p>
  );
}
