/**
 * What a person typed into "New chat", classified so the core gets the right kind of request. The core
 * validates each kind for real (libsignal for usernames and links); this only decides which kind it is.
 */
export type ChatTarget =
  | { kind: 'serviceId'; serviceId: string }
  | { kind: 'usernameLink'; usernameLink: string }
  | { kind: 'e164'; e164: string }
  | { kind: 'username'; username: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Signal's username links: https://signal.me/#eu/<base64url> (also typed without the scheme). */
const LINK = /^(?:https:\/\/|sgnl:\/\/)?signal\.me\/#eu\//i;
/** A phone number as people write it: digits with an optional +, spaces, dots, dashes, parentheses. */
const PHONE = /^\+?[\d\s().-]+$/;

export function classifyChatTarget(raw: string): ChatTarget | null {
  const value = raw.trim();
  if (!value) return null;
  if (UUID.test(value)) return { kind: 'serviceId', serviceId: value.toLowerCase() };
  if (LINK.test(value)) return { kind: 'usernameLink', usernameLink: value };
  // "name.42" contains a dot too: only a value with a leading + or mostly digits is a number.
  if (PHONE.test(value) && (value.startsWith('+') || !value.includes('.'))) {
    return { kind: 'e164', e164: `+${value.replace(/\D/g, '')}` };
  }
  return { kind: 'username', username: value.replace(/^@/, '') };
}
