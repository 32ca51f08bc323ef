/**
 * IPC channel names, shared by the main-process adapter and the preload. Every channel is derived from a
 * command or event name of the typed contract (src/api), so the allowlist is the contract itself.
 */
const COMMAND_PREFIX = 'carapace:cmd:';
const EVENT_PREFIX = 'carapace:evt:';
/** Contract names are dotted identifiers such as `vault.unlock` or `message.added`. */
const NAME = /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/;

export function isContractName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 64 && NAME.test(name);
}

export function commandChannel(command: string): string {
  if (!isContractName(command)) throw new TypeError('not a contract command name');
  return `${COMMAND_PREFIX}${command}`;
}

export function eventChannel(event: string): string {
  if (!isContractName(event)) throw new TypeError('not a contract event name');
  return `${EVENT_PREFIX}${event}`;
}
