import type { SettingChange } from '../../src/api/contract.js';

/** Exactly what a switch of settings changed ("apply recommended", its undo, a workshop preset). */
export function ChangeList({ title, changes }: { title: string; changes: readonly SettingChange[] }) {
  return (
    <div className="changes" role="status">
      <p>{changes.length === 0 ? 'Nothing needed changing.' : title}</p>
      {changes.length > 0 ? (
        <ul>
          {changes.map((c) => (
            <li key={c.key}>
              {c.label}: {c.from} → <strong>{c.to}</strong>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
