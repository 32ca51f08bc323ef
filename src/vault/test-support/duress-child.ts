/**
 * Tests only: a child process that unlocks a vault with the given passphrase (the duress one: it erases)
 * and then idles until the parent kills it with SIGKILL. Prints `ready` just before the unlock, `done` after.
 * argv: profileDir passphrase
 */
import { setLogSink } from '../../log.js';
import { TEST_KDF } from '../../test-support/vault.js';
import { Vault } from '../vault.js';

const [dir, passphrase] = process.argv.slice(2);
if (!dir || !passphrase) throw new Error('usage: duress-child <dir> <passphrase>');
setLogSink(() => {});
const vault = new Vault(dir, { kdf: TEST_KDF });
process.stdout.write('ready\n');
await vault.unlock(Buffer.from(passphrase));
process.stdout.write('done\n');
setInterval(() => undefined, 60_000);
