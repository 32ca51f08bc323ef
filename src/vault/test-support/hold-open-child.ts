/**
 * Tests only: unlocks a vault, commits rows, prints "ready" and waits to be killed (SIGKILL), leaving a
 * hot WAL behind as a crash would. argv: profileDir passphrase memoryKiB rows
 */
import { setLogSink } from '../../log.js';
import { TEST_KDF } from '../../test-support/vault.js';
import { Vault } from '../vault.js';

const [dir, passphrase, memory, rows] = process.argv.slice(2);
if (!dir || !passphrase || !memory || !rows)
  throw new Error('usage: hold-open-child <dir> <pass> <memoryKiB> <rows>');
setLogSink(() => {});
const vault = new Vault(dir, { kdf: { ...TEST_KDF, memoryKiB: Number(memory) } });
await vault.unlock(Buffer.from(passphrase));
const insert = vault.db.prepare('INSERT INTO crash_notes (body) VALUES (?)');
for (let i = 0; i < Number(rows); i++) insert.run(`committed row ${i}`);
process.stdout.write('ready\n');
setInterval(() => {}, 1_000);
