/**
 * The account screen's data: `account.details` kept in the store's account slice (reset on lock like every
 * slice). Every command that changes the account answers the new details, stored the same way.
 */
import type { AccountDetails, ApiError, ApiResult } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { useStore } from '../../store.js';

export async function loadAccountDetails(): Promise<ApiError | null> {
  return keepDetails(await getApi().account.details());
}

/** Stores the details a command answered; returns its error instead when it failed. */
export function keepDetails(result: ApiResult<AccountDetails>): ApiError | null {
  if (!result.ok) return result.error;
  useStore.setState({ accountDetails: result.value });
  return null;
}

/**
 * Whether an INVALID_INPUT is about the field at `path` (for aria-invalid). The library's refusals
 * (too short, bad characters, taken) name no field: they are about the form's main field, `fallback`
 * (null when a refusal naming no field cannot be pinned on one).
 */
export function faultIn(error: ApiError | null, path: string, fallback: string | null): boolean {
  if (error?.code !== 'INVALID_INPUT') return false;
  return error.fields === undefined ? path === fallback : error.fields.includes(path);
}
