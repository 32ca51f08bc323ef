/**
 * Tests only: a child process that unlocks a vault and changes its passphrase back and forth forever,
 * printing a line before and after each change, until the parent kills it with SIGKILL.
 * argv: profileDir passphraseA passphraseB memoryKiB
 */
import { WrongPassphraseError } from '../../errors.js';
import { setLogSink } from '../../log.js';
import { TEST_KDF } from '../../test-support/vault.js';
import { Vault } from '../vault.js';

const [dir, a, b, memory] = process.argv.slice(2);
if (!dir || !a || !b || !memory) throw new Error('usage: rekey-child <dir> <passA> <passB> <memoryKiB>');
setLogSink(() => {});
const vault = new Vault(dir, { kdf: { ...TEST_KDF, memoryKiB: Number(memory) } });
let current = Buffer.from(a);
let next = Buffer.from(b);
try {
  await vault.unlock(current);
} catch (error) {
  if (!(error instanceof WrongPassphraseError)) throw error;
  [current, next] = [next, current];
  await vault.unlock(current);
}
process.stdout.write('ready\n');
for (;;) {
  process.stdout.write('change\n');
  await vault.changePassphrase(current, next);
  process.stdout.write('changed\n');
  [current, next] = [next, current];
  // Keep the data moving too: a write between rekeys.
  vault.db
    .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('rekey_child_tick', ?)")
    .run(String(Date.now()));
}
