import { describe, expect, it } from 'vitest';
import { explainError } from './api/contract.js';
import {
  AlreadyViewedError,
  BlockedError,
  KeyBackupUnavailableError,
  LinkPreviewError,
  NotConnectedError,
  ProfileInUseError,
  RegistrationLockedError,
  UnlockThrottledError,
  UntrustedIdentityError,
  VaultAlreadyExistsError,
  VaultFileNotFoundError,
  VaultLockedError,
  VaultNotInitializedError,
  VerificationCodeError,
  WrongPassphraseError,
  WrongPinError,
  type CarapaceError,
} from './errors.js';

describe('errors with a fixed wording', () => {
  const fixed: CarapaceError[] = [
    new VaultLockedError(),
    new WrongPassphraseError(0),
    new UnlockThrottledError(5000),
    new VaultNotInitializedError(),
    new VaultAlreadyExistsError(),
    new ProfileInUseError(),
    new BlockedError(),
    new NotConnectedError(),
    new UntrustedIdentityError('c1'),
    new RegistrationLockedError(1000),
    new VerificationCodeError(),
    new WrongPinError(3),
    new KeyBackupUnavailableError('deleted'),
    new KeyBackupUnavailableError('missing'),
    new AlreadyViewedError(),
    new VaultFileNotFoundError(),
    new LinkPreviewError('timeout'),
  ];

  it.each(fixed.map((error) => [error.code, error] as const))(
    '%s says one sentence, the same as its explanation (the UI shows it once)',
    (code, error) => {
      expect(error.message).toBe(explainError(code));
      expect(error.message.split(/(?<=\.)\s+/)).toHaveLength(1);
    },
  );
});
