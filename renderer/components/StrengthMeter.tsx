import { strengthLabel } from './strength.js';

export function StrengthMeter({ bits, id }: { bits: number; id: string }) {
  const label = strengthLabel(bits);
  const level = Math.min(4, Math.floor(bits / 25));
  return (
    <div className="strength" id={id}>
      <meter
        className={`strength-meter level-${level}`}
        min={0}
        max={120}
        low={50}
        high={80}
        optimum={120}
        value={Math.min(bits, 120)}
        aria-label="Passphrase strength"
      />
      <span className="strength-label" aria-live="polite">
        Strength: {label} (about {bits} bits)
      </span>
    </div>
  );
}
