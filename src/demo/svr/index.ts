/**
 * The demo network's PIN-protected key backup and registration-lock enforcement (what
 * @signalapp/mock-server lacks). Mount `DemoSvr.handle` in the demo server's HTTP routes, call
 * `checkRegistration` before and `recordRegistration` after POST /v1/registration.
 */
export {
  basicAuthHeader,
  SvrCredentialIssuer,
  SVR_CREDENTIAL_LIFETIME_MS,
  type SvrCredentials,
} from './credentials.js';
export { DemoSvr, type AuthenticatedAccount, type DemoSvrOptions, type SvrHttpResponse } from './handler.js';
export { DEFAULT_MAX_TRIES, KeyBackupService, type RestoreResult } from './key-backup-service.js';
export { localSend } from './local-send.js';
export {
  REGISTRATION_LOCK_INACTIVITY_MS,
  RegistrationLockPolicy,
  type RegistrationDecision,
  type RegistrationLockedBody,
} from './registration-lock.js';
