import { useState } from 'react';
import type { ApiError, SettingsPatch } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { useStore } from '../../store.js';

/** Saves a settings patch into the store; the error of the last failed save is shown by the caller. */
export function useSettingsUpdate(): [(patch: SettingsPatch) => Promise<boolean>, ApiError | null] {
  const [error, setError] = useState<ApiError | null>(null);
  const update = async (patch: SettingsPatch) => {
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
