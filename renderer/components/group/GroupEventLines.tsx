import { useStore } from '../../store.js';
import type { GroupChange, Person } from './group-api.js';
import { groupChangeLines, sameServiceId } from './group-text.js';

/** A group change in the timeline: one centred line per change ("Alice added Bob."), focusable as a row. */
export function GroupEventLines({ change, messageId }: { change: GroupChange; messageId: string }) {
  const ourAci = useStore((s) => s.account?.aci ?? null);
  const isUs = (person: Person) => ourAci !== null && sameServiceId(person.serviceId, ourAci);
  return (
    <div className="timeline-event group-event" tabIndex={-1} data-message-id={messageId}>
      {groupChangeLines(change, isUs).map((line, index) => (
        <p key={index}>{line}</p>
      ))}
    </div>
  );
}
