/**
 * Test-only child, run under tsx (as the harness and `npm run demo-server` are): the demo network and the
 * messaging client in ONE process, where tsx loads a second copy of libsignal-client for the mock server.
 * A contact's envelope is delivered twice; prints one JSON line with what the client made of the copy.
 */
import { createHarness } from '../../messaging/test-support/harness.js';

const h = await createHarness();
try {
  const client = await h.startClient();
  const carol = await h.contact('Carol');
  await h.sendFromContact(carol, 'first').acked;
  const envelope = await carol.device.encryptText(h.device, 'only once', { timestamp: Date.now() });
  await h.network.server.send(h.device, envelope);
  await h.network.server.send(h.device, envelope); // redelivered: the same bytes again
  const conversation = client.store.findConversationByServiceId(carol.aci);
  const messages = conversation ? client.store.page(conversation.id).messages : [];
  process.stdout.write(
    `${JSON.stringify({
      stored: messages.filter((m) => m.body === 'only once').length,
      duplicates: client.receiver.stats.duplicate,
      failedMarkers: messages.filter((m) => m.eventType === 'decryption-failed').length,
    })}\n`,
  );
} finally {
  await h.close();
}
