import { useMemo, useSyncExternalStore } from 'react';
import { loadStrengthEstimator, type StrengthEstimator } from './strength.js';

let estimator: StrengthEstimator | null = null;

/** Starts loading zxcvbn on first use and re-renders subscribers once it is ready. */
function subscribe(onReady: () => void): () => void {
  let live = true;
  if (!estimator) {
    loadStrengthEstimator().then(
      (loaded) => {
        estimator = loaded;
        if (live) onReady();
      },
      () => undefined, // the meter stays in "checking"; nothing else depends on it
    );
  }
  return () => {
    live = false;
  };
}

const snapshot = (): StrengthEstimator | null => estimator;

/** The passphrase's estimated strength in bits, or null while the estimator is still loading. */
export function usePassphraseBits(passphrase: string): number | null {
  const estimate = useSyncExternalStore(subscribe, snapshot);
  return useMemo(() => (estimate ? estimate(passphrase) : null), [estimate, passphrase]);
}
