/**
 * Test support: an in-process `JsonSend` onto a DemoSvr (no TLS server): bodies go through a
 * JSON round trip exactly as they would on the wire.
 */
import type { JsonRequest, JsonResponse, JsonSend } from '../../account/key-backup-client.js';
import type { DemoSvr } from '../svr/handler.js';

export function localSend(svr: DemoSvr): JsonSend {
  return (request: JsonRequest): Promise<JsonResponse> => {
    const body: unknown = request.body === undefined ? undefined : JSON.parse(JSON.stringify(request.body));
    const response = svr.handle(request.method, request.path, request.headers, body) ?? {
      status: 404,
      json: { error: 'not-found' },
    };
    const json: unknown = response.json === undefined ? undefined : JSON.parse(JSON.stringify(response.json));
    return Promise.resolve({ status: response.status, json });
  };
}
