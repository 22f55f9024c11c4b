/**
 * The WebSocket API's request security as the venue checks it. Binance's WebSocket API pages
 * (SIGNED request security): the signature payload is every request param except `signature`,
 * sorted by name, written `name=value` and joined with `&`; the signature is its hex
 * HMAC-SHA256 under the secret key, case-insensitive. Binance's official connector writes the
 * values percent-encoded (as in a query string), which the simulator accepts as well; the two
 * forms differ only for values with characters a query string escapes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A WebSocket API parameter value as JSON carries it. */
export type WsApiParamValue = string | number | boolean;

/** Returns the signature payload of `params`, values written as they are or percent-encoded. */
export function wsApiPayload(params: Readonly<Record<string, WsApiParamValue>>, percentEncoded: boolean): string {
  return Object.keys(params)
    .filter((name) => name !== 'signature')
    .sort()
    .map((name) => {
      const value = String(params[name]);
      return `${name}=${percentEncoded ? encodeURIComponent(value) : value}`;
    })
    .join('&');
}

function matches(secret: string, payload: string, given: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(payload).digest('hex'), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Returns 'missing' when no signature was sent, 'valid' when it signs the payload (either form), 'invalid' otherwise. */
export function checkWsApiSignature(secret: string, params: Readonly<Record<string, WsApiParamValue>>): 'missing' | 'valid' | 'invalid' {
  const given = params['signature'];
  if (typeof given !== 'string' || given === '') return 'missing';
  if (matches(secret, wsApiPayload(params, false), given)) return 'valid';
  return matches(secret, wsApiPayload(params, true), given) ? 'valid' : 'invalid';
}
