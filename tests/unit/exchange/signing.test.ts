import { describe, expect, it } from 'vitest';
import { encodeParams, RequestSigner, signPayload } from '../../../src/exchange/signing.ts';
import { fixture } from './fixtures.ts';

interface SigningExample {
  secretKey: string;
  example1: { queryString: string; requestBody: string; signature: string };
  example3: { queryString: string; requestBody: string; signature: string };
}

const docs = fixture('signing-example') as SigningExample;

describe('signing (Binance General Info HMAC examples)', () => {
  it('reproduces example 1 (all parameters in the query string)', () => {
    expect(signPayload(docs.secretKey, docs.example1.queryString)).toBe(docs.example1.signature);
  });

  it('reproduces example 3 (query string concatenated with the body, no "&" between)', () => {
    expect(signPayload(docs.secretKey, docs.example3.queryString, docs.example3.requestBody)).toBe(docs.example3.signature);
  });

  it('signs params + recvWindow + timestamp exactly as the documented payload', () => {
    const signer = new RequestSigner(docs.secretKey, 5000);
    const query = signer.signQuery('symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC', 1591702613943);
    expect(query).toBe(`${docs.example1.queryString}&signature=${docs.example1.signature}`);
  });

  it('encodes params in order, skips undefined, percent-encodes strings', () => {
    expect(encodeParams({ symbol: 'BTCUSDT', limit: 5, skip: undefined, id: 'a:b/c', flag: true })).toBe('symbol=BTCUSDT&limit=5&id=a%3Ab%2Fc&flag=true');
  });
});
