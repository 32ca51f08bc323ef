/**
 * Our profile key's rotation: a new random key whose commitment and version replace the old ones on
 * the server, so a removed contact's copy of the old key no longer matches our profile.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Aci } from '@signalapp/libsignal-client';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { ServerError } from '../errors.js';
import { log } from '../log.js';
import type { ChatRequester } from './delivery.js';

/**
 * Signal's profile-name encryption (public format): AES-256-GCM under the profile key, random 12-byte
 * nonce, the name zero-padded to 53 bytes; output nonce ‖ ciphertext ‖ tag. We have no profile name,
 * so the padded plaintext is empty.
 */
function encryptEmptyProfileName(profileKey: Uint8Array): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', profileKey, nonce);
  const ciphertext = Buffer.concat([cipher.update(Buffer.alloc(53)), cipher.final()]);
  return Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]);
}

/**
 * A new random 32-byte profile key: its commitment and version go to the server (PUT /v1/profile,
 * with our — empty — profile name re-encrypted under the new key), then `save` stores it locally.
 * Until saved, the old key stays in use, so a failed upload changes nothing.
 */
export async function rotateProfileKey(options: {
  readonly aci: string;
  readonly request: ChatRequester;
  readonly save: (profileKey: Uint8Array) => void | Promise<void>;
  /** Our whole profile under the new key (name, about…); without it, an empty name. */
  readonly profileBody?: (profileKey: Uint8Array) => Uint8Array;
}): Promise<void> {
  const key = new Uint8Array(randomBytes(32));
  try {
    const profileKey = new ProfileKey(key);
    const aci = Aci.parseFromServiceIdString(options.aci);
    const body =
      options.profileBody?.(key) ??
      Buffer.from(
        JSON.stringify({
          commitment: Buffer.from(profileKey.getCommitment(aci).serialize()).toString('base64'),
          version: profileKey.getProfileKeyVersion(aci).toString(),
          name: encryptEmptyProfileName(key).toString('base64'),
          avatar: false,
          sameAvatar: false,
        }),
      );
    const response = await options.request({
      verb: 'PUT',
      path: '/v1/profile',
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (response.status !== 200)
      throw new ServerError('The server refused the new profile.', response.status);
    await options.save(key);
    log.info('messaging.profile_key_rotated');
  } finally {
    key.fill(0);
  }
}
