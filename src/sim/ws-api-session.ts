/**
 * Who a WebSocket API request speaks for. Per request: `apiKey` and `signature` in the params,
 * an HMAC (ws-api-security.ts) for the HMAC key, or an Ed25519 signature (base64) for the
 * Ed25519 key when one is configured. Per connection (USDⓈ-M WebSocket API General Info,
 * "Authenticate after connection"): `session.logon` authenticates the connection with the
 * Ed25519 key ("Only Ed25519 keys are supported for this feature"; any other key is -4056),
 * after which requests may leave `apiKey` and `signature` out; `session.status` tells which key
 * is authorized, `session.logout` forgets it. Explicit `apiKey`/`signature` still authorize a
 * single request ("ad hoc").
 */
import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { BinanceApiError, apiErrors } from './errors.ts';
import { checkWsApiSignature, wsApiPayload, type WsApiParamValue } from './ws-api-security.ts';

/** An Ed25519 API key: its name and public key. */
export interface Ed25519ApiKey {
  readonly apiKey: string;
  readonly publicKey: KeyObject;
}

/** The keys the venue knows. */
export interface ApiKeys {
  readonly hmac: { readonly apiKey: string; readonly secret: string };
  readonly ed25519: Ed25519ApiKey | null;
}

/** One connection's authentication. */
export interface SessionState {
  apiKey: string | null;
  authorizedSinceMs: number | null;
  readonly connectedSinceMs: number;
}

type Params = Readonly<Record<string, WsApiParamValue>>;

/** The session methods, answered by the server rather than by a REST route. */
export const SESSION_METHODS: ReadonlySet<string> = new Set(['session.logon', 'session.status', 'session.logout']);

/** Binance: -4056 INVALID_API_KEY_TYPE "Invalid api key type." */
const invalidKeyType = (): BinanceApiError => new BinanceApiError(-4056, 'Invalid api key type.');

function checkEd25519(key: Ed25519ApiKey, params: Params): 'missing' | 'valid' | 'invalid' {
  const given = params['signature'];
  if (typeof given !== 'string' || given === '') return 'missing';
  const signature = Buffer.from(given, 'base64');
  for (const encoded of [false, true]) {
    if (verifySignature(null, Buffer.from(wsApiPayload(params, encoded), 'utf8'), key.publicKey, signature)) return 'valid';
  }
  return 'invalid';
}

/** Throws -1102/-1022 unless `params` carry a valid signature by `apiKey`; -2015 for a key the venue does not know. */
function checkSigned(keys: ApiKeys, apiKey: string, params: Params): void {
  let signature: 'missing' | 'valid' | 'invalid';
  if (apiKey === keys.hmac.apiKey) signature = checkWsApiSignature(keys.hmac.secret, params);
  else if (keys.ed25519 !== null && apiKey === keys.ed25519.apiKey) signature = checkEd25519(keys.ed25519, params);
  else throw apiErrors.apiKeyInvalid();
  if (signature === 'missing') throw apiErrors.mandatory('signature');
  if (signature === 'invalid') throw apiErrors.signature();
}

/**
 * Throws the error Binance answers unless the request may act for the account: an explicit
 * `apiKey` (with a valid signature when `signed`), or a connection authenticated by session.logon.
 */
export function authenticate(keys: ApiKeys, session: SessionState, params: Params, signed: boolean): void {
  const apiKey = params['apiKey'];
  if (typeof apiKey === 'string' && apiKey !== '') {
    if (signed) checkSigned(keys, apiKey, params);
    else if (apiKey !== keys.hmac.apiKey && apiKey !== keys.ed25519?.apiKey) throw apiErrors.apiKeyInvalid();
    return;
  }
  if (session.apiKey === null) throw apiErrors.apiKeyFormat();
}

/** Answers session.logon: authenticates the connection with the Ed25519 key once its signature and then `checkTiming` pass. */
export function logon(keys: ApiKeys, session: SessionState, params: Params, nowMs: number, checkTiming: () => void): void {
  const apiKey = params['apiKey'];
  if (typeof apiKey !== 'string' || apiKey === '') throw apiErrors.mandatory('apiKey');
  if (apiKey === keys.hmac.apiKey) throw invalidKeyType();
  if (keys.ed25519 === null || apiKey !== keys.ed25519.apiKey) throw apiErrors.apiKeyInvalid();
  checkSigned(keys, apiKey, params);
  checkTiming();
  session.apiKey = apiKey;
  session.authorizedSinceMs = nowMs;
}

/** Answers session.logout: forgets the authenticated key (the connection stays open). */
export function logout(session: SessionState): void {
  session.apiKey = null;
  session.authorizedSinceMs = null;
}

/** Returns the `result` of every session method. */
export function sessionJson(session: SessionState, returnRateLimits: boolean, nowMs: number): Record<string, unknown> {
  return {
    apiKey: session.apiKey,
    authorizedSince: session.authorizedSinceMs,
    connectedSince: session.connectedSinceMs,
    returnRateLimits,
    serverTime: nowMs,
  };
}
