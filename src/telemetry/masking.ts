/**
 * Secret masking for every sink (event log, stdout, OpenTelemetry). Field names that look
 * secret have their values masked; known secret values and request signatures are masked
 * wherever they appear in free text.
 */
import type { FieldRecord, FieldValue } from '../core/events.ts';

const MASK = '*****';
/** Values shorter than this are masked entirely: a 3-character prefix would give away too much. */
const MIN_PREFIX_LENGTH = 8;
const SECRET_NAME_RE = /key|secret|token|password|signature/i;
const SIGNATURE_RE = /(signature=)([0-9a-fA-F]+)/g;
const SECRET_NAME_CACHE_LIMIT = 10_000;

/** Returns the masked form of a value: "abc*****", or "*****" when shorter than 8 characters. */
export function maskValue(value: string): string {
  return value.length < MIN_PREFIX_LENGTH ? MASK : value.slice(0, 3) + MASK;
}

const secretNames = new Map<string, boolean>();

/** Returns true when a field name looks secret (contains key, secret, token, password or signature). */
export function isSecretKey(name: string): boolean {
  let secret = secretNames.get(name);
  if (secret === undefined) {
    secret = SECRET_NAME_RE.test(name);
    if (secretNames.size >= SECRET_NAME_CACHE_LIMIT) secretNames.clear();
    secretNames.set(name, secret);
  }
  return secret;
}

/** Returns a value with every string and number leaf masked (the whole value sits under a secret name). */
function maskAll(value: FieldValue): FieldValue {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return maskValue(value);
  if (typeof value === 'number') return maskValue(String(value));
  if (Array.isArray(value)) return value.map(maskAll);
  const out: Record<string, FieldValue> = {};
  for (const [key, inner] of Object.entries(value as FieldRecord)) out[key] = maskAll(inner);
  return out;
}

function maskNested(value: FieldValue, textMask: TextMasker | null): FieldValue {
  if (typeof value === 'string') return textMask === null ? value : textMask(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((inner: FieldValue) => maskNested(inner, textMask));
  return maskFields(value as FieldRecord, textMask);
}

/**
 * Returns a deep copy of `record` with the values of secret-named fields masked (strings and
 * numbers; nested records and lists under such a name entirely). With a `textMask`, known
 * secret values are also masked inside every other string.
 */
export function maskFields(record: FieldRecord, textMask: TextMasker | null = null): FieldRecord {
  const out: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(record)) {
    out[key] = isSecretKey(key) ? maskAll(value) : maskNested(value, textMask);
  }
  return out;
}

/** Masks secrets in free text. */
export type TextMasker = (text: string) => string;

/**
 * Returns a function that masks, in any text, every occurrence of the given secret values and
 * every `signature=<hex>`. Overlapping occurrences are merged and masked as one span, so the
 * output contains no secret (for secrets without "*").
 */
export function createTextMasker(secrets: readonly string[]): TextMasker {
  const known = [...new Set(secrets.filter((secret) => secret.length > 0))];
  return (text: string): string => {
    let spans: Array<[number, number]> | null = null;
    for (const secret of known) {
      let at = text.indexOf(secret);
      while (at !== -1) {
        (spans ??= []).push([at, at + secret.length]);
        at = text.indexOf(secret, at + 1);
      }
    }
    const masked = spans === null ? text : maskSpans(text, spans);
    return masked.includes('signature=') ? masked.replace(SIGNATURE_RE, (_match, name: string, hex: string) => name + maskValue(hex)) : masked;
  };
}

function maskSpans(text: string, spans: Array<[number, number]>): string {
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let cursor = 0;
  let i = 0;
  while (i < spans.length) {
    const [start] = spans[i] as [number, number];
    let end = (spans[i] as [number, number])[1];
    i += 1;
    while (i < spans.length && (spans[i] as [number, number])[0] < end) {
      end = Math.max(end, (spans[i] as [number, number])[1]);
      i += 1;
    }
    out += text.slice(cursor, start) + maskValue(text.slice(start, end));
    cursor = end;
  }
  return out + text.slice(cursor);
}

/** Returns `text` with the given secret values and any `signature=<hex>` masked. */
export function maskText(text: string, secrets: readonly string[]): string {
  return createTextMasker(secrets)(text);
}
