/**
 * Secret masking for every sink (event log, stdout, stderr, OpenTelemetry, metric labels).
 * Field names that look secret have their values masked; in free text, known secret values,
 * request signatures, Binance-shaped tokens and URL credentials are masked wherever they appear.
 */
const MASK = '*****';
/** Values shorter than this are masked entirely: a 3-character prefix would give away too much. */
const MIN_PREFIX_LENGTH = 8;
const SECRET_NAME_RE = /key|secret|token|password|signature/i;
const SIGNATURE_RE = /(signature=)([0-9a-fA-F]+)/g;

/** Returns the masked form of a value: "abc*****", or "*****" when shorter than 8 characters. */
export function maskValue(value: string): string {
  return value.length < MIN_PREFIX_LENGTH ? MASK : value.slice(0, 3) + MASK;
}

/** Returns true when a field name looks secret (contains key, secret, token, password or signature). */
export function isSecretKey(name: string): boolean {
  return SECRET_NAME_RE.test(name);
}

/** Masks secrets in free text. */
export type TextMasker = (text: string) => string;

/** A known secret is masked wherever at least this many of its leading characters appear (a truncated echo included). */
const KNOWN_SECRET_HEAD = 8;
/** A Binance API key or secret: 64 letters and digits, standing alone. */
const BINANCE_TOKEN_LENGTH = 64;

/** A range of text to mask; `whole` hides it entirely instead of keeping a 3-character prefix. */
type Span = [start: number, end: number, whole: boolean];

/**
 * Returns the one text masker every sink uses (event log, stdout, stderr, OTLP spans and log
 * records, metric labels). In any text it masks:
 * - the given secret values (the API key and secret), also when only their first 8 or more
 *   characters appear (an echo cut short);
 * - every `signature=<hex>`;
 * - every standalone 64-character run of letters and digits (the shape of a Binance key or
 *   secret: a safety net for secrets it was not told about, e.g. one pasted into the wrong variable);
 * - the credentials of any URL (`scheme://user:password@host` becomes `scheme://*****@host`).
 * Overlapping findings are merged and masked as one span, so no secret survives in part.
 */
export function createTextMasker(secrets: readonly string[]): TextMasker {
  const known = [...new Set(secrets.filter((secret) => secret.length > 0))].map((secret) => ({
    secret,
    head: secret.slice(0, KNOWN_SECRET_HEAD),
  }));
  return (text: string): string => {
    let spans: Span[] | null = null;
    for (const { secret, head } of known) {
      let at = text.indexOf(head);
      while (at !== -1) {
        let end = at + head.length;
        while (end < text.length && end - at < secret.length && text.charCodeAt(end) === secret.charCodeAt(end - at)) end += 1;
        (spans ??= []).push([at, end, false]);
        at = text.indexOf(head, at + 1);
      }
    }
    if (text.length >= BINANCE_TOKEN_LENGTH) spans = pushTokenSpans(text, spans);
    if (text.includes('://')) spans = pushUrlCredentialSpans(text, spans);
    if (text.includes('signature=')) {
      for (const match of text.matchAll(SIGNATURE_RE)) {
        const start = match.index + (match[1] ?? '').length;
        (spans ??= []).push([start, start + (match[2] ?? '').length, false]);
      }
    }
    return spans === null ? text : maskSpans(text, spans);
  };
}

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * Adds a span per standalone run of exactly 64 letters and digits. Written as a scan rather than
 * a regular expression, which costs a microsecond per line: any such run covers an index that
 * is 63 modulo 64, so only those indexes are probed.
 */
function pushTokenSpans(text: string, spans: Span[] | null): Span[] | null {
  for (let probe = BINANCE_TOKEN_LENGTH - 1; probe < text.length; probe += BINANCE_TOKEN_LENGTH) {
    if (!isAlphanumeric(text.charCodeAt(probe))) continue;
    let start = probe;
    while (start > 0 && isAlphanumeric(text.charCodeAt(start - 1))) start -= 1;
    let end = probe + 1;
    while (end < text.length && isAlphanumeric(text.charCodeAt(end))) end += 1;
    if (end - start === BINANCE_TOKEN_LENGTH) (spans ??= []).push([start, end, false]);
    probe += Math.floor((end - 1 - probe) / BINANCE_TOKEN_LENGTH) * BINANCE_TOKEN_LENGTH;
  }
  return spans;
}

/** Returns true for a character that ends a URL's authority (or the text around it). */
function endsAuthority(code: number): boolean {
  // whitespace and controls, " # ' / < > ? \
  return code <= 32 || code === 34 || code === 35 || code === 39 || code === 47 || code === 60 || code === 62 || code === 63 || code === 92;
}

/** Adds a span per URL userinfo (`scheme://user:password@host`): everything up to the authority's last "@". */
function pushUrlCredentialSpans(text: string, spans: Span[] | null): Span[] | null {
  let at = text.indexOf('://');
  while (at !== -1) {
    const start = at + 3;
    let end = start;
    let lastAt = -1;
    for (; end < text.length && !endsAuthority(text.charCodeAt(end)); end += 1) if (text.charCodeAt(end) === 64) lastAt = end;
    if (lastAt > start && at > 0 && isAlphanumeric(text.charCodeAt(at - 1))) (spans ??= []).push([start, lastAt, true]);
    // From just after this "://", not from where its authority ended: in "://https://u:p@h" the
    // next URL's "://" starts inside the text this one scanned.
    at = text.indexOf('://', at + 1);
  }
  return spans;
}

function maskSpans(text: string, spans: Span[]): string {
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let cursor = 0;
  let i = 0;
  while (i < spans.length) {
    const start = (spans[i] as Span)[0];
    let [, end, whole] = spans[i] as Span;
    i += 1;
    while (i < spans.length && (spans[i] as Span)[0] < end) {
      end = Math.max(end, (spans[i] as Span)[1]);
      whole ||= (spans[i] as Span)[2];
      i += 1;
    }
    out += text.slice(cursor, start) + (whole ? MASK : maskValue(text.slice(start, end)));
    cursor = end;
  }
  return out + text.slice(cursor);
}

/** Returns `text` with the given secret values and every other secret `createTextMasker` finds masked. */
export function maskText(text: string, secrets: readonly string[]): string {
  return createTextMasker(secrets)(text);
}

/** Returns `url` with any credentials (`user:password@`) masked, e.g. for a configuration snapshot. */
export function maskUrlCredentials(url: string): string {
  const spans = pushUrlCredentialSpans(url, null);
  return spans === null ? url : maskSpans(url, spans);
}
