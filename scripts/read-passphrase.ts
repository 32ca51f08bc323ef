/**
 * A CLI's vault passphrase: from CARAPACE_PASSPHRASE (for scripts), else a no-echo prompt on a terminal,
 * else stdin (one line). The caller zeroes the returned Buffer.
 */
export class PassphraseCancelled extends Error {}

export async function readPassphrase(prompt = 'Vault passphrase: '): Promise<Buffer> {
  const fromEnv = process.env.CARAPACE_PASSPHRASE;
  if (fromEnv !== undefined) return Buffer.from(fromEnv, 'utf8');
  const stdin = process.stdin;
  if (stdin.isTTY) return readFromTerminal(prompt);
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  const all = Buffer.concat(chunks);
  for (const chunk of chunks) chunk.fill(0);
  let end = all.length;
  while (end > 0 && (all[end - 1] === 0x0a || all[end - 1] === 0x0d)) end -= 1;
  const passphrase = Buffer.from(all.subarray(0, end));
  all.fill(0);
  return passphrase;
}

async function readFromTerminal(prompt: string): Promise<Buffer> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  const chunks: Buffer[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        stdin.off('data', onData);
        stdin.setRawMode(false);
        stdin.pause();
        process.stderr.write('\n');
        if (error) reject(error);
        else resolve();
      };
      const onData = (data: Buffer) => {
        for (const byte of data) {
          if (byte === 0x0d || byte === 0x0a) return finish();
          if (byte === 0x03) return finish(new PassphraseCancelled('cancelled'));
          if (byte === 0x7f || byte === 0x08) chunks.pop()?.fill(0);
          else chunks.push(Buffer.from([byte]));
        }
      };
      stdin.on('data', onData);
    });
    return Buffer.concat(chunks);
  } finally {
    for (const chunk of chunks) chunk.fill(0);
  }
}
