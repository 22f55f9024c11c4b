import { describe, expect, it } from 'vitest';
import { WsApiSigner, wsApiSignaturePayload } from '../../../src/exchange/ws-api-signing.ts';
import { fixture } from './fixtures.ts';

interface Example {
  apiKey: string;
  secretKey: string;
  request: { params: Record<string, string | number> };
  payload: string;
  signature: string;
}

const docs = fixture('ws-api-signing-example') as Example;

describe('WebSocket API signing (the documented HMAC example)', () => {
  it('builds the documented payload: every param but signature, sorted by name, name=value joined with &', () => {
    expect(wsApiSignaturePayload(docs.request.params)).toBe(docs.payload);
    expect(wsApiSignaturePayload({ ...docs.request.params, signature: 'ignored', unset: undefined })).toBe(docs.payload);
  });

  it('reproduces the documented signature from the documented params', () => {
    const { apiKey: _key, recvWindow: _window, timestamp, ...params } = docs.request.params;
    const signed = new WsApiSigner(docs.apiKey, docs.secretKey, 100).sign(params, Number(timestamp));
    expect(signed['signature']).toBe(docs.signature);
    expect(signed).toMatchObject({ apiKey: docs.apiKey, recvWindow: 100, timestamp: 1645423376532 });
  });

  it('writes values as they are (no percent-encoding) and leaves undefined ones out', () => {
    expect(wsApiSignaturePayload({ symbol: 'BTCUSDT', newClientOrderId: 'mm-1:a/b', price: undefined, reduceOnly: 'true' })).toBe(
      'newClientOrderId=mm-1:a/b&reduceOnly=true&symbol=BTCUSDT',
    );
  });
});
