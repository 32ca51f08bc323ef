/**
 * `workshop.metadataDemo`: "what a contact receives". A sample photo with GPS, camera and date goes to the
 * demo network's known contact through the ordinary attachments path (which strips metadata); the
 * contact's phone reports the bytes it decrypted, and both are read by the same EXIF reader.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NetworkError, ServerError } from '../../errors.js';
import type { CoreContext } from './context.js';
import type { Session } from './session.js';
import { startConversation } from './start-conversation.js';
import { readPhotoMetadata, workshopSamplePhoto, type PhotoMetadata } from './workshop-photo.js';
import { receivedPhoto, workshopFriend } from './workshop-scenario.js';

/** How long the contact's phone may take to receive and decrypt the photo. */
const RECEIVE_LIMIT_MS = 15_000;
const POLL_MS = 150;

export async function sendPhotoToFriend(
  ctx: CoreContext,
  s: Session,
): Promise<{ contact: string; original: PhotoMetadata; received: PhotoMetadata }> {
  const client = s.needClient();
  const friend = await workshopFriend(client.accountRequest);
  const conversation = await startConversation(ctx, { serviceId: friend.aci, name: friend.name });
  const photo = await workshopSamplePhoto();
  const original = readPhotoMetadata(photo);
  const message = await client.sendAttachments(conversation.id, [
    { bytes: photo, fileName: 'workshop-photo.jpg' },
  ]);
  if (message.status === 'failed') throw new NetworkError('The photo could not be sent.');
  const deadline = Date.now() + RECEIVE_LIMIT_MS;
  while (Date.now() < deadline) {
    const now = await workshopFriend(client.accountRequest);
    if (now.received > friend.received) {
      return {
        contact: friend.name,
        original,
        received: readPhotoMetadata(await receivedPhoto(client.accountRequest)),
      };
    }
    await sleep(POLL_MS);
  }
  throw new ServerError('The contact did not receive the photo in time.', 504);
}
