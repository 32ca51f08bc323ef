/**
 * The one reconnect policy: exponential backoff with jitter, capped, reset after a success. Every
 * reconnect loop in the codebase takes its delays from here, so they cannot drift apart.
 */

export interface BackoffPolicy {
  /** Ceiling of the first delay. */
  readonly initialMs: number;
  /** Ceiling of any delay. */
  readonly maxMs: number;
  readonly factor: number;
}

/** The chat connection's policy: 0.25–0.5 s first, then doubling up to 15–30 s. */
export const CHAT_RECONNECT: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2 };

/**
 * The delay before retry number `attempt` (0-based): uniformly random in [d/2, d] where
 * d = min(maxMs, initialMs·factor^attempt). The jitter keeps many clients from reconnecting in lockstep
 * after a server restart; the lower half-bound keeps a retry from following a failure immediately.
 */
function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Counts consecutive failures: `next()` gives the next delay, `reset()` after a success. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const delay = backoffDelay(this.attempt, this.policy, this.random);
    this.attempt += 1;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
