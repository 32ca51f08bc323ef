import { useState } from 'react';
import type { ApiError, ApiResult } from '../../../src/api/contract.js';

/**
 * Runs a group command with a busy flag and its typed error (shown by the caller); `onDone` gets the
 * answer. One command at a time: buttons are disabled while `busy`.
 */
export function useGroupCommand<T>(onDone: (value: T) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (command: () => Promise<ApiResult<T>>) => {
    setBusy(true);
    setError(null);
    const result = await command();
    setBusy(false);
    if (result.ok) onDone(result.value);
    else setError(result.error);
  };
  return { busy, error, setError, run };
}
