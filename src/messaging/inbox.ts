/**
 * What the server sends us on the authenticated chat socket: envelopes (acked with 200 only once the
 * Receiver committed their result — the socket sends each answer after its handler resolved) and
 * "queue empty" after the backlog; anything else is 404. The socket hands envelopes over as they arrive,
 * without waiting for the previous answer (ChatConnectionOptions.concurrentIncoming), so the Receiver can
 * decrypt and commit the server's delivery window as one batch; "queue empty" waits for them all.
 */
import { log } from '../log.js';
import type { IncomingRequestHandler } from '../net/chat-connection.js';
import type { ReceiveOutcome } from './receiver.js';

const ENVELOPE_PATH = '/api/v1/message';
const QUEUE_EMPTY_PATH = '/api/v1/queue/empty';

export function inboxHandler(options: {
  readonly handleEnvelope: (envelope: Uint8Array) => Promise<ReceiveOutcome>;
  /** Diagnostics/bench tap: each raw (still encrypted) envelope as it arrives. */
  readonly onEnvelope: ((envelope: Uint8Array) => void) | undefined;
  /** The backlog is drained: `processed` envelopes since the last time. */
  readonly onQueueEmpty: (processed: number) => void;
}): IncomingRequestHandler {
  let processedSinceEmpty = 0;
  const inFlight = new Set<Promise<unknown>>();
  return async (request) => {
    if (request.verb === 'PUT' && request.path === ENVELOPE_PATH) {
      if (!request.body) return 400;
      options.onEnvelope?.(request.body);
      const handled = options.handleEnvelope(request.body);
      inFlight.add(handled);
      try {
        const outcome = await handled;
        processedSinceEmpty += 1;
        log.debug('messaging.receive', { outcome });
        return 200;
      } finally {
        inFlight.delete(handled);
      }
    }
    if (request.verb === 'PUT' && request.path === QUEUE_EMPTY_PATH) {
      // The backlog before this marker is received only when every envelope of it is committed.
      await Promise.allSettled([...inFlight]);
      const processed = processedSinceEmpty;
      processedSinceEmpty = 0;
      options.onQueueEmpty(processed);
      return 200;
    }
    return 404;
  };
}
