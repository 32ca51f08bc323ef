/**
 * Our username and its link, and finding someone by username or link: libsignal's hashes and proofs
 * (usernames.ts) over the gRPC account calls (src/net/grpc-accounts.ts). What we hold is kept in the vault's
 * account table (`account.username`): the username and the link's entropy and server handle — the
 * entropy is the link's secret, so it never leaves the vault except inside the link itself.
 */
import { z } from 'zod';
import { NotFoundError, PreconditionError } from '../errors.js';
import type { AccountsGrpc } from '../net/grpc-accounts.js';
import type { AccountKv } from './account-kv.js';
import {
  decryptUsernameFromLink,
  encryptUsernameForLink,
  FieldValidationError,
  parseUsername,
  parseUsernameLink,
  usernameCandidates,
  usernameLinkUrl,
  usernameProof,
} from './usernames.js';

const USERNAME_KEY = 'account.username';

const StoredUsernameSchema = z.object({
  username: z.string(),
  link: z.object({ entropy: z.string(), handle: z.string() }).nullable(),
});
type StoredUsername = z.infer<typeof StoredUsernameSchema>;

export interface OwnUsername {
  readonly username: string;
  readonly linkUrl: string | null;
}

/** Someone found by username or link: their ACI and the username that found them. */
interface FoundUsername {
  readonly aci: string;
  readonly username: string;
}

export function readOwnUsername(kv: AccountKv): OwnUsername | null {
  const stored = kv.getJson(USERNAME_KEY, StoredUsernameSchema);
  if (!stored) return null;
  return {
    username: stored.username,
    linkUrl: stored.link
      ? usernameLinkUrl(Buffer.from(stored.link.entropy, 'base64'), stored.link.handle)
      : null,
  };
}

/** The vault writes, run by the caller between received envelopes (the session's `exclusive`). */
export type VaultWrite = (write: () => void) => Promise<void>;

const TAKEN = 'That username is taken; try other digits or another name.';

export class UsernameService {
  constructor(
    private readonly accounts: AccountsGrpc,
    private readonly kv: AccountKv,
    private readonly write: VaultWrite,
    /** Our ACI (authenticated use): a confirm repeated after a lost answer is recognised as ours. */
    private readonly ownAci?: string,
  ) {}

  /** Holds the first free candidate for us; INVALID_INPUT (taken) when none is free. */
  async reserve(
    nickname: string,
    discriminator?: string,
  ): Promise<{ username: string; nickname: string; discriminator: string }> {
    const candidates = usernameCandidates(nickname, discriminator);
    const reserved = await this.accounts.reserveUsernameHash(candidates.map((c) => c.hash));
    const chosen = reserved && candidates.find((c) => Buffer.from(c.hash).equals(reserved));
    if (!chosen) {
      throw new FieldValidationError(TAKEN, [discriminator === undefined ? 'nickname' : 'discriminator']);
    }
    return { username: chosen.username, nickname: chosen.nickname, discriminator: chosen.discriminator };
  }

  /** Confirms a reserved username with its proof; the server links it to a new username link. */
  async confirm(text: string): Promise<void> {
    const { username, hash } = parseUsername(text);
    const link = encryptUsernameForLink(username);
    const answer = await this.accounts.confirmUsernameHash({
      hash,
      proof: usernameProof(username),
      linkCiphertext: link.ciphertext,
    });
    if (answer.kind === 'not-available') throw new FieldValidationError(TAKEN, ['username']);
    if (answer.kind === 'confirmed') {
      await this.#save({ username, link: { entropy: b64(link.entropy), handle: answer.linkHandle } });
      return;
    }
    // Already ours (a repeated confirm, or the answer to the first was lost): give it a fresh link.
    const holder = this.ownAci ? await this.accounts.lookupUsernameHash(hash) : undefined;
    if (holder === undefined || holder !== this.ownAci?.toLowerCase()) {
      throw new PreconditionError('Reserve that username first; a reservation lasts only a few minutes.');
    }
    const handle = await this.accounts.setUsernameLink(link.ciphertext, false);
    await this.#save({ username, link: handle ? { entropy: b64(link.entropy), handle } : null });
  }

  async delete(): Promise<void> {
    await this.accounts.deleteUsernameHash();
    await this.write(() => this.kv.delete(USERNAME_KEY));
  }

  /** Our link's URL: the stored one, or a new one when we have a username but no link. */
  async link(): Promise<string> {
    const stored = this.#stored();
    if (stored.link) return usernameLinkUrl(Buffer.from(stored.link.entropy, 'base64'), stored.link.handle);
    return this.resetLink();
  }

  /** A new entropy and handle: the old URL and QR code stop working at once. */
  async resetLink(): Promise<string> {
    const stored = this.#stored();
    const link = encryptUsernameForLink(stored.username);
    const handle = await this.accounts.setUsernameLink(link.ciphertext, false);
    if (!handle) {
      await this.write(() => this.kv.delete(USERNAME_KEY));
      throw new PreconditionError('The service has no username for this account any more; choose one again.');
    }
    await this.#save({ username: stored.username, link: { entropy: b64(link.entropy), handle } });
    return usernameLinkUrl(link.entropy, handle);
  }

  /** The ACI holding a typed username (with the username as typed); NOT_FOUND when no one does. */
  async findByUsername(text: string): Promise<FoundUsername> {
    const { username, hash } = parseUsername(text);
    const aci = await this.accounts.lookupUsernameHash(hash);
    if (!aci) throw new NotFoundError('No one has that username.');
    return { aci, username };
  }

  /** The ACI behind a username link (pasted or scanned): its username decrypted, then looked up. */
  async findByLink(text: string): Promise<FoundUsername> {
    const { entropy, handle } = parseUsernameLink(text);
    const ciphertext = await this.accounts.lookupUsernameLink(handle);
    if (!ciphertext)
      throw new NotFoundError('That username link is not in use any more (it may have been reset).');
    const { username, hash } = decryptUsernameFromLink(entropy, ciphertext);
    const aci = await this.accounts.lookupUsernameHash(hash);
    if (!aci) throw new NotFoundError('The username of that link is not in use any more.');
    return { aci, username };
  }

  #stored(): StoredUsername {
    const stored = this.kv.getJson(USERNAME_KEY, StoredUsernameSchema);
    if (!stored) throw new PreconditionError('Choose a username first.');
    return stored;
  }

  #save(value: StoredUsername): Promise<void> {
    return this.write(() => this.kv.setJson(USERNAME_KEY, value));
  }
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
