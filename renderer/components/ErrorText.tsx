import { explainError, sayError, type ApiError } from '../../src/api/contract.js';
import { fieldNames, fieldReason } from './field-errors.js';

/**
 * A typed error, said once: the code's one-sentence explanation, and the core's message only when it adds
 * specifics (an error with a fixed wording has the explanation as its message). A wait is its own line.
 */
export function ErrorText({ error, id }: { error: ApiError | null; id?: string }) {
  if (!error) return null;
  if (error.fields !== undefined) return <InvalidFields error={error} id={id} />;
  const { explanation, detail } = sayError(error.code, error.message);
  return (
    <p className="error" role="alert" id={id} data-error-code={error.code}>
      {explanation}
      {detail ? <span className="error-detail"> {detail}</span> : null}
      {error.retryAfterMs ? (
        <span className="error-wait">
          <br />
          Try again in {Math.ceil(error.retryAfterMs / 1000)} s.
        </span>
      ) : null}
    </p>
  );
}

/**
 * A refusal naming fields: their labels, never the contract's paths or the schema's wording; a rule the core
 * checked itself (libsignal's username rules) comes with its own sentence, said after the label.
 */
function InvalidFields({ error, id }: { error: ApiError; id: string | undefined }) {
  const names = fieldNames(error);
  const reason = fieldReason(error);
  return (
    <p className="error" role="alert" id={id} data-error-code={error.code}>
      {names.length === 0
        ? (reason ?? explainError(error.code))
        : reason
          ? `${names.join(', ')}: ${reason}`
          : `${names.join(', ')}: not valid; check the marked field${names.length > 1 ? 's' : ''}.`}
    </p>
  );
}
