import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../errors.js';
import { decodeWsFrame, encodeWsRequest, encodeWsResponse, wsHeader } from './websocket.js';

describe('WebSocketResources framing', () => {
  it('round-trips requests and responses, including 64-bit ids (Signal uses random ones)', () => {
    const id = 2n ** 64n - 3n;
    const request = decodeWsFrame(
      encodeWsRequest({
        verb: 'PUT',
        path: '/api/v1/message',
        id,
        headers: ['X-Signal-Timestamp:1'],
        body: new Uint8Array([1, 2]),
      }),
    );
    if (request.type !== 'request') throw new Error('expected a request');
    expect(Buffer.from(request.request.body!)).toEqual(Buffer.from([1, 2]));
    expect({ ...request, request: { ...request.request, body: undefined } }).toEqual({
      type: 'request',
      request: {
        verb: 'PUT',
        path: '/api/v1/message',
        id,
        headers: ['X-Signal-Timestamp:1'],
        body: undefined,
      },
    });
    const response = decodeWsFrame(encodeWsResponse({ id, status: 200, message: 'OK', headers: [] }));
    expect(response).toEqual({ type: 'response', response: { id, status: 200, message: 'OK', headers: [] } });
  });

  it('rejects garbage, empty and incomplete frames with ProtocolError', () => {
    for (const bytes of [
      new Uint8Array([0xff, 0xff, 0xff]),
      new Uint8Array(0),
      new Uint8Array([0x08, 0x01]), // type REQUEST without a request
      new Uint8Array([0x08, 0x07]), // unknown type
    ]) {
      expect(() => decodeWsFrame(bytes)).toThrow(ProtocolError);
    }
  });

  it('finds headers case-insensitively', () => {
    expect(wsHeader(['Content-Type:application/json', 'X-Signal-Timestamp: 12'], 'x-signal-timestamp')).toBe(
      '12',
    );
    expect(wsHeader(['broken'], 'broken')).toBeUndefined();
  });
});
