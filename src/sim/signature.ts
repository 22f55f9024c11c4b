/**
 * Binance request signing as the venue checks it: HMAC-SHA256 (hex, case-insensitive) of
 * totalParams = query string concatenated with the request body, without the signature
 * parameter itself.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Returns the hex HMAC-SHA256 of `payload` under `secret`. */
export function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

function withoutSignature(raw: string): { readonly rest: string; readonly signature: string | null } {
  if (raw === '') return { rest: '', signature: null };
  let signature: string | null = null;
  const kept: string[] = [];
  for (const part of raw.split('&')) {
    if (part.startsWith('signature=')) signature = decodeURIComponent(part.slice('signature='.length));
    else kept.push(part);
  }
  return { rest: kept.join('&'), signature };
}

/** Returns 'missing' when no signature was sent, 'valid' or 'invalid' otherwise. */
export function checkSignature(secret: string, rawQuery: string, rawBody: string): 'missing' | 'valid' | 'invalid' {
  const query = withoutSignature(rawQuery);
  const body = withoutSignature(rawBody);
  const given = query.signature ?? body.signature;
  if (given === null || given === '') return 'missing';
  const expected = Buffer.from(sign(secret, query.rest + body.rest), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? 'valid' : 'invalid';
}
