import { explainError, type ApiError } from '../../src/api/contract.js';

/** A typed error, explained in words. The core's message is shown as detail when it adds something. */
export function ErrorText({ error, id }: { error: ApiError | null; id?: string }) {
  if (!error) return null;
  const explanation = explainError(error.code);
  let detail = error.message && error.message !== explanation ? error.message : null;
  // The core's message already begins with the explanation (e.g. WRONG_PIN + tries): say it once.
  if (detail?.startsWith(explanation)) detail = detail.slice(explanation.length).trim() || null;
  const wait = error.retryAfterMs ? ` Try again in ${Math.ceil(error.retryAfterMs / 1000)} s.` : '';
  return (
    <p className="error" role="alert" id={id} data-error-code={error.code}>
      {explanation}
      {wait}
      {detail ? <span className="error-detail"> {detail}</span> : null}
    </p>
  );
}
