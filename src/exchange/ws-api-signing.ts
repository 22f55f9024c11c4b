/**
 * WebSocket API request security (Binance's WebSocket API pages, "SIGNED request security"):
 * `apiKey`, `timestamp` and `recvWindow` go into the params, and `signature` is the hex
 * HMAC-SHA256, under the secret key, of every other param sorted by name and written
 * `name=value`, joined with `&`.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { signPayload } from './signing.ts';

/** A WebSocket API parameter value as it goes into the JSON params. */
export type WsApiParamValue = string | number | boolean;
/** WebSocket API params; undefined values are left out. */
export type WsApiParams = Readonly<Record<string, WsApiParamValue | undefined>>;

/** Returns the signature payload of `params`: every defined param but `signature`, sorted by name, `name=value` joined with `&`. */
export function wsApiSignaturePayload(params: WsApiParams): string {
  let payload = '';
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined || name === 'signature') continue;
    if (payload.length > 0) payload += '&';
    payload += `${name}=${String(value)}`;
  }
  return payload;
}

/** Signs WebSocket API requests for one API key. */
export class WsApiSigner {
  private readonly apiKey: string;
  /** Prepared once: createHmac would otherwise convert the secret string on every request. */
  private readonly secret: KeyObject;
  private readonly recvWindowMs: number;

  constructor(apiKey: string, secret: string, recvWindowMs: number) {
    this.apiKey = apiKey;
    this.secret = createSecretKey(secret, 'utf8');
    this.recvWindowMs = recvWindowMs;
  }

  /** Returns `params` (undefined values left out) with apiKey, recvWindow, timestamp and signature. */
  sign(params: WsApiParams, timestampMs: number): Record<string, WsApiParamValue> {
    const signed: Record<string, WsApiParamValue> = {};
    for (const [name, value] of Object.entries(params)) if (value !== undefined) signed[name] = value;
    signed['apiKey'] = this.apiKey;
    signed['recvWindow'] = this.recvWindowMs;
    signed['timestamp'] = timestampMs;
    signed['signature'] = signPayload(this.secret, wsApiSignaturePayload(signed));
    return signed;
  }
}
