import { strengthLabel } from './strength.js';

/** `bits` is null while the estimator loads (a moment, on first use). */
export function StrengthMeter({ bits, id }: { bits: number | null; id: string }) {
  const level = Math.min(4, Math.floor((bits ?? 0) / 25));
  return (
    <div className="strength" id={id}>
      <meter
        className={`strength-meter level-${level}`}
        min={0}
        max={120}
        low={50}
        high={80}
        optimum={120}
        value={Math.min(bits ?? 0, 120)}
        aria-label="Passphrase strength"
      />
      <span className="strength-label" aria-live="polite">
        {bits === null ? 'Strength: checking…' : `Strength: ${strengthLabel(bits)} (about ${bits} bits)`}
      </span>
    </div>
  );
}
