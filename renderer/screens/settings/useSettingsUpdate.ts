import { useState } from 'react';
import type { ApiError, SettingsUpdate } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { useStore } from '../../store.js';

/** Saves a settings patch into the store; the error of the last failed save is shown by the caller. */
export function useSettingsUpdate(): [(patch: SettingsUpdate) => Promise<boolean>, ApiError | null] {
  const [error, setError] = useState<ApiError | null>(null);
  const update = async (patch: SettingsUpdate) => {
    setError(null);
    const result = await getApi().settings.update({ patch });
    if (!result.ok) {
      setError(result.error);
      return false;
    }
    useStore.setState({ settings: result.value });
    return true;
  };
  return [update, error];
}
