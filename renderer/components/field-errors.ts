/**
 * INVALID_INPUT in words: the core names the fields at fault by their contract path (`patch.proxy.port`);
 * the UI says them as the form labels them and marks those inputs (aria-invalid, focus on the first).
 */
import { useEffect, type RefObject } from 'react';
import type { ApiError } from '../../src/api/contract.js';

/** Contract path → the label the form shows. A path not here is not named (never an internal name). */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  e164: 'Phone number',
  captcha: 'Captcha token',
  code: 'Verification code',
  pin: 'Signal PIN',
  passphrase: 'Passphrase',
  current: 'Current passphrase',
  next: 'New passphrase',
  'patch.proxy.host': 'Host',
  'patch.proxy.port': 'Port',
  'patch.proxy.username': 'Username',
  'patch.proxy.password': 'Password',
  nickname: 'Username',
  discriminator: 'Number',
  username: 'Username',
  usernameLink: 'Username link',
  givenName: 'First name',
  familyName: 'Last name',
  about: 'About',
};

/** The human names of the fields an error is about ([] when it names none this UI knows). */
export function fieldNames(error: ApiError): string[] {
  return [...new Set((error.fields ?? []).flatMap((path) => FIELD_NAMES[path] ?? []))];
}

/**
 * The core's own sentence for a rule a library checked (a username too short, a damaged link), or null.
 * A schema refusal's message is the schema's wording (`path: rule`) and is never shown.
 */
export function fieldReason(error: ApiError): string | null {
  const schemaWording = (error.fields ?? []).some((path) => error.message.startsWith(`${path}: `));
  return schemaWording || !error.message ? null : error.message;
}

/** Whether `path` is one of the fields an INVALID_INPUT error is about (for `aria-invalid`). */
export function isInvalidField(error: ApiError | null, path: string): boolean {
  return error?.code === 'INVALID_INPUT' && (error.fields?.includes(path) ?? false);
}

/** After a refusal that names fields, focus the first input the form marked invalid. */
export function useFocusFirstInvalid(error: ApiError | null, form: RefObject<HTMLFormElement | null>): void {
  useEffect(() => {
    if (error?.code !== 'INVALID_INPUT') return;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error, form]);
}
