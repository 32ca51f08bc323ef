/**
 * What the server sends us on the authenticated chat socket: envelopes (acked with 200 only once the
 * Receiver committed their result — the socket sends the answer after this handler resolved) and
 * "queue empty" after the backlog; anything else is 404.
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
  return async (request) => {
    if (request.verb === 'PUT' && request.path === ENVELOPE_PATH) {
      if (!request.body) return 400;
      options.onEnvelope?.(request.body);
      const outcome = await options.handleEnvelope(request.body);
      processedSinceEmpty += 1;
      log.debug('messaging.receive', { outcome });
      return 200;
    }
    if (request.verb === 'PUT' && request.path === QUEUE_EMPTY_PATH) {
      const processed = processedSinceEmpty;
      processedSinceEmpty = 0;
      options.onQueueEmpty(processed);
      return 200;
    }
    return 404;
  };
}
