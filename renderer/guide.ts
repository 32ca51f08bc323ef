/**
 * The guided first run: after a new profile is created, the empty chat pane leads through registration,
 * the profile name, the Signal PIN and the hardening report. Not a secret and not per-profile data: it
 * lives only in this window and ends when finished or skipped.
 */
import { create } from 'zustand';

export const GUIDE_STEPS = ['register', 'profile', 'pin', 'report'] as const;
export type GuideStep = (typeof GUIDE_STEPS)[number];

export const useGuide = create<{ step: GuideStep | null }>(() => ({ step: null }));

export function startGuide(): void {
  useGuide.setState({ step: 'register' });
}

/** Moves on from `from` — only if that is still the current step, so two triggers advance once. */
export function advanceFrom(from: GuideStep): void {
  if (useGuide.getState().step !== from) return;
  useGuide.setState({ step: GUIDE_STEPS[GUIDE_STEPS.indexOf(from) + 1] ?? null });
}

export function endGuide(): void {
  useGuide.setState({ step: null });
}
