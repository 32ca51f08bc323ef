/**
 * A visible, announced wait: a spinner and a sentence saying what is happening (argon2 derivations,
 * re-encryption, registration requests take seconds, and a silent disabled button looks broken).
 */
export function Busy({ text }: { text: string }) {
  return (
    <p className="busy" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {text}
    </p>
  );
}
