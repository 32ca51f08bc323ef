/** Shared by the API's demo-network tests: wait for one core event, and unwrap an ApiResult. */
import type { CoreService } from '../service.js';
import type { EventName, EventPayload } from '../contract.js';

/** The next `event` whose payload matches `predicate`, or a rejection after `ms`. */
export function nextEvent<E extends EventName>(
  service: CoreService,
  event: E,
  predicate: (payload: EventPayload<E>) => boolean = () => true,
  ms = 20_000,
): Promise<EventPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const off = service.onEvent((name: EventName, payload: unknown) => {
      if (name === event && predicate(payload as EventPayload<E>)) {
        clearTimeout(timer);
        off();
        resolve(payload as EventPayload<E>);
      }
    });
  });
}

/** The value of a successful API result; a failed one throws with its error code. */
export async function value<T>(
  result: Promise<{ ok: true; value: T } | { ok: false; error: { code: string } }>,
): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(`API error ${r.error.code}`);
  return r.value;
}
