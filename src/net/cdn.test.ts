import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkError, ProtocolError, ServerError } from '../errors.js';
import { CdnClient, cdnDownloadPath } from './cdn.js';
import type { ClientConfig, ServiceEndpoint } from './config.js';
import { directSocketOpener } from './direct-opener.js';
import { MOCK_CA_PEM, startHostileServer, type HostileServer } from './test-support/hostile-server.js';

let server: HostileServer | undefined;
let cdn: CdnClient | undefined;
afterEach(async () => {
  cdn?.close();
  cdn = undefined;
  await server?.close();
  server = undefined;
});

function configFor(endpoint: ServiceEndpoint, mode: 'demo' | 'production' = 'production'): ClientConfig {
  return {
    mode,
    chat: endpoint,
    storage: endpoint,
    cdn: { '0': endpoint, '2': endpoint, '3': endpoint },
    tlsTrustRootsPem: [MOCK_CA_PEM],
    serverPublicParams: 'x',
    genericServerPublicParams: 'x',
    backupServerPublicParams: 'x',
    unidentifiedDeliveryTrustRoots: ['x'],
  };
}

async function serve(
  onRequest: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void,
  idleTimeoutMs?: number,
): Promise<CdnClient> {
  server = await startHostileServer({ onRequest });
  cdn = new CdnClient({
    config: configFor(server.endpoint),
    openSocket: directSocketOpener,
    ...(idleTimeoutMs ? { idleTimeoutMs } : {}),
  });
  return cdn;
}

/** A consumer that keeps a copy of each chunk (a chunk is valid only during the call). */
function collect(): { chunks: Buffer[]; onChunk: (c: Buffer) => void; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  return { chunks, onChunk: (c) => chunks.push(Buffer.from(c)), bytes: () => Buffer.concat(chunks) };
}

describe('CDN paths', () => {
  const endpoint = { host: 'cdn.example', port: 443 };
  it('uses /attachments/<key or id>, with the mock prefix for CDN 3 in demo mode', () => {
    expect(cdnDownloadPath(configFor(endpoint), { cdnNumber: 3, cdnKey: 'abc_-=.1' })).toBe(
      '/attachments/abc_-%3D.1',
    );
    expect(cdnDownloadPath(configFor(endpoint, 'demo'), { cdnNumber: 3, cdnKey: 'k' })).toBe(
      '/cdn3/attachments/k',
    );
    expect(cdnDownloadPath(configFor(endpoint, 'demo'), { cdnNumber: 2, cdnKey: 'k' })).toBe(
      '/attachments/k',
    );
    expect(cdnDownloadPath(configFor(endpoint), { cdnNumber: 0, cdnId: 1234567890123n })).toBe(
      '/attachments/1234567890123',
    );
  });
  it('refuses keys that could escape the path, and pointers without a location', () => {
    for (const cdnKey of ['../secret', 'a/b', 'a?b', 'x'.repeat(300), 'a b']) {
      expect(() => cdnDownloadPath(configFor(endpoint), { cdnNumber: 3, cdnKey })).toThrow(ProtocolError);
    }
    expect(() => cdnDownloadPath(configFor(endpoint), { cdnNumber: 3 })).toThrow(ProtocolError);
  });
});

describe('CDN downloads from a hostile server', () => {
  it('streams the body to the consumer with progress', async () => {
    const body = Buffer.alloc(300_000, 7);
    const client = await serve((stream, headers) => {
      expect(headers[':path']).toBe('/attachments/key1');
      stream.respond({ ':status': 200, 'content-length': String(body.length) });
      stream.end(body);
    });
    const sink = collect();
    const progress: [number, number][] = [];
    const n = await client.download(
      { cdnNumber: 2, cdnKey: 'key1' },
      { maxBytes: 1_000_000, onChunk: sink.onChunk, onProgress: (d, t) => progress.push([d, t]) },
    );
    expect(n).toBe(body.length);
    expect(sink.bytes().equals(body)).toBe(true);
    expect(progress.at(-1)).toEqual([body.length, body.length]);
  });

  it('hands the consumer pieces of at least 256 KiB, not one per DATA frame', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024 + 100, 3);
    const client = await serve((stream) => {
      stream.respond({ ':status': 200, 'content-length': String(body.length) });
      stream.end(body);
    });
    const sink = collect();
    await client.download({ cdnNumber: 2, cdnKey: 'k' }, { maxBytes: 4_000_000, onChunk: sink.onChunk });
    expect(sink.bytes().equals(body)).toBe(true);
    expect(sink.chunks.slice(0, -1).every((c) => c.length >= 256 * 1024)).toBe(true);
    expect(sink.chunks.length).toBeLessThanOrEqual(9);
  });

  it('frees each piece it joined once the consumer returns, instead of leaving it to the GC', async () => {
    const body = Buffer.alloc(1024 * 1024, 5);
    const client = await serve((stream) => {
      stream.respond({ ':status': 200, 'content-length': String(body.length) });
      stream.end(body);
    });
    const handed: Buffer[] = [];
    let sizes = 0;
    await client.download(
      { cdnNumber: 2, cdnKey: 'k' },
      {
        maxBytes: 4_000_000,
        onChunk: (c) => {
          sizes += c.length;
          handed.push(c);
        },
      },
    );
    expect(sizes).toBe(body.length);
    const joined = handed.filter((c) => c.buffer.byteLength === 0);
    expect(joined.length).toBeGreaterThanOrEqual(3);
    expect(joined.every((c) => c.length === 0)).toBe(true);
  });
  it('refuses an announced size above the cap before reading the body', async () => {
    const client = await serve((stream) => {
      stream.respond({ ':status': 200, 'content-length': String(50_000_000) });
      stream.write(Buffer.alloc(1000));
    });
    const sink = collect();
    await expect(
      client.download({ cdnNumber: 3, cdnKey: 'k' }, { maxBytes: 10_000, onChunk: sink.onChunk }),
    ).rejects.toBeInstanceOf(ProtocolError);
    expect(sink.chunks.length).toBe(0);
  });

  it('cuts off a body that grows past the cap without announcing its size', async () => {
    const client = await serve((stream) => {
      stream.respond({ ':status': 200 });
      stream.write(Buffer.alloc(8_000));
      stream.write(Buffer.alloc(8_000));
      stream.end(Buffer.alloc(8_000));
    });
    const sink = collect();
    await expect(
      client.download({ cdnNumber: 3, cdnKey: 'k' }, { maxBytes: 10_000, onChunk: sink.onChunk }),
    ).rejects.toBeInstanceOf(ProtocolError);
    expect(sink.bytes().length).toBeLessThanOrEqual(10_000);
  });

  it('a CDN that stops sending fails after the idle timeout; 404 is a ServerError', async () => {
    let mode = 0;
    const client = await serve((stream) => {
      if (mode === 0) {
        stream.respond({ ':status': 200, 'content-length': '100' });
        stream.write(Buffer.alloc(10));
      } else {
        stream.respond({ ':status': 404 });
        stream.end();
      }
    }, 300);
    const sink = collect();
    await expect(
      client.download({ cdnNumber: 3, cdnKey: 'k' }, { maxBytes: 1000, onChunk: sink.onChunk }),
    ).rejects.toBeInstanceOf(NetworkError);
    mode = 1;
    await expect(
      client.download({ cdnNumber: 3, cdnKey: 'k' }, { maxBytes: 1000, onChunk: sink.onChunk }),
    ).rejects.toMatchObject({
      status: 404,
    });
    expect(sink.chunks.length).toBe(1);
  });
});

describe('TUS uploads', () => {
  function form(endpoint: ServiceEndpoint, headers: Record<string, string> = {}) {
    return {
      cdn: 3,
      key: 'up1',
      headers,
      signedUploadLocation: `https://${endpoint.servername}:${endpoint.port}/cdn3/attachments/up1?sig=1`,
    };
  }

  it('POSTs the blob with the TUS creation-with-upload headers and the form headers', async () => {
    let seen: IncomingHttpHeaders = {};
    let received: Buffer = Buffer.alloc(0);
    const client = await serve((stream, headers) => {
      seen = headers;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received = Buffer.concat(chunks);
        stream.respond({
          ':status': 201,
          'upload-offset': String(received.length),
          'tus-resumable': '1.0.0',
        });
        stream.end();
      });
    });
    const blob = Buffer.alloc(500_000, 3);
    const progress: number[] = [];
    await client.tusUpload(
      form(server!.endpoint, {
        'X-Custom-Auth': 'token',
        Host: 'evil',
        'Content-Length': '1',
        'bad name': 'x',
      }),
      blob,
      { onProgress: (done) => progress.push(done) },
    );
    expect(received.equals(blob)).toBe(true);
    expect(seen[':method']).toBe('POST');
    expect(seen[':path']).toBe('/cdn3/attachments/up1?sig=1');
    expect(seen['tus-resumable']).toBe('1.0.0');
    expect(seen['upload-metadata']).toBe(`filename ${Buffer.from('up1').toString('base64')}`);
    expect(seen['upload-length']).toBe(String(blob.length));
    expect(seen['content-type']).toBe('application/offset+octet-stream');
    expect(seen['x-custom-auth']).toBe('token');
    expect(seen['content-length']).toBeUndefined();
    expect(seen[':authority']).not.toContain('evil');
    expect(progress.at(-1)).toBe(blob.length);
  });

  it('hands each body chunk back to its producer once the connection took it, every byte sent', async () => {
    let received: Buffer = Buffer.alloc(0);
    const client = await serve((stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received = Buffer.concat(chunks);
        stream.respond({ ':status': 201, 'upload-offset': String(received.length) });
        stream.end();
      });
    });
    const pieces = [0, 1, 2, 3].map((n) => Buffer.alloc(200_000, n));
    const expected = Buffer.concat(pieces);
    const released: Uint8Array[] = [];
    await client.tusUpload(form(server!.endpoint), {
      length: expected.length,
      chunks: pieces,
      release: (chunk) => {
        released.push(chunk);
        chunk.fill(0xff); // what a producer freeing its memory does to any later read of it
      },
    });
    expect(received.equals(expected)).toBe(true);
    expect(released).toEqual(pieces);
    expect(new Set(released).size).toBe(pieces.length);
  });

  it('an incomplete or refused upload is a typed error', async () => {
    let mode = 0;
    const client = await serve((stream) => {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        stream.respond(mode === 0 ? { ':status': 201, 'upload-offset': '5' } : { ':status': 413 });
        stream.end();
      });
    });
    await expect(client.tusUpload(form(server!.endpoint), Buffer.alloc(100))).rejects.toBeInstanceOf(
      ProtocolError,
    );
    mode = 1;
    await expect(client.tusUpload(form(server!.endpoint), Buffer.alloc(100))).rejects.toBeInstanceOf(
      ServerError,
    );
  });

  it('never follows an upload form to a host or port outside the config', async () => {
    const client = await serve(() => undefined);
    const endpoint = server!.endpoint;
    for (const location of [
      `https://attacker.example:${endpoint.port}/x`,
      `https://${endpoint.servername}:${endpoint.port + 1}/x`,
      `http://${endpoint.servername}:${endpoint.port}/x`,
      'not a url',
    ]) {
      await expect(
        client.tusUpload({ cdn: 3, key: 'k', headers: {}, signedUploadLocation: location }, Buffer.alloc(1)),
      ).rejects.toBeInstanceOf(ProtocolError);
    }
    await expect(client.tusUpload({ ...form(endpoint), cdn: 2 }, Buffer.alloc(1))).rejects.toBeInstanceOf(
      ProtocolError,
    );
  });
});
