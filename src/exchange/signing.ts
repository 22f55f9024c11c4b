/**
 * Binance SIGNED-endpoint security: HMAC-SHA256 (hex) keyed with the secret over `totalParams`,
 * the query string concatenated with the request body.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** Returns the hex HMAC-SHA256 signature of `queryString + body`. */
export function signPayload(secret: string | KeyObject, queryString: string, body = ''): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(queryString);
  if (body.length > 0) hmac.update(body);
  return hmac.digest('hex');
}

export type ParamValue = string | number | boolean;
/** Request parameters in sending order; undefined values are left out. */
export type Params = Readonly<Record<string, ParamValue | undefined>>;

/** Returns `k=v&...` in insertion order, values percent-encoded, undefined values skipped. */
export function encodeParams(params: Params): string {
  let out = '';
  for (const key in params) {
    const value = params[key];
    if (value === undefined) continue;
    if (out.length > 0) out += '&';
    out += key;
    out += '=';
    out += typeof value === 'string' ? encodeURIComponent(value) : String(value);
  }
  return out;
}

/** Signs requests for one API secret; `timestamp` comes from the caller's venue-time estimate. */
export class RequestSigner {
  /** A key object, prepared once: createHmac would otherwise convert the secret string on every request. */
  private readonly secret: KeyObject;
  private readonly recvWindowSuffix: string;

  constructor(secret: string, recvWindowMs: number) {
    this.secret = createSecretKey(secret, 'utf8');
    this.recvWindowSuffix = `recvWindow=${recvWindowMs}&timestamp=`;
  }

  /** Returns the full signed query string: params, recvWindow, timestamp, signature. */
  signQuery(encodedParams: string, timestampMs: number): string {
    const unsigned = (encodedParams.length > 0 ? `${encodedParams}&` : '') + this.recvWindowSuffix + String(timestampMs);
    return `${unsigned}&signature=${signPayload(this.secret, unsigned)}`;
  }
}
