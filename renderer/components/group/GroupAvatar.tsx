import type { CSSProperties } from 'react';
import { initials, memberColour } from './group-text.js';
import '../../styles/groups.css';

/** A group's round avatar: its initials on the group's colour, announced as "Group". */
export function GroupAvatar({ id, title }: { id: string; title: string }) {
  const colour = memberColour(id);
  return (
    <span className="group-avatar" role="img" aria-label="Group" style={{ background: colour.light }}>
      <span aria-hidden="true">{initials(title)}</span>
    </span>
  );
}

/** A member's name in their stable colour (light and dark theme values as CSS variables). */
export function MemberName({ serviceId, name }: { serviceId: string; name: string }) {
  const colour = memberColour(serviceId);
  const style = { '--member-light': colour.light, '--member-dark': colour.dark } as CSSProperties;
  return (
    <span className="member-name" style={style}>
      {name}
    </span>
  );
}
