/**
 * OTLP/JSON serializers for spans and log records that write UTF-8 bytes directly into a buffer,
 * instead of building otlp-transformer's intermediate object graph, running JSON.stringify over
 * it and encoding the result. The output is byte for byte what
 * `JsonTraceSerializer` / `JsonLogsSerializer` (0.301) send for the same input: same grouping and
 * order of resources and scopes, same key order, hex ids, nanosecond timestamps as decimal
 * strings, int vs double by `Number.isInteger`, and strings escaped as JSON.stringify escapes
 * them. Resource and scope blocks and attribute-key prefixes are encoded once and reused.
 * tests/unit/telemetry/otlp-json.test.ts holds the two to the same bytes.
 *
 * Why bytes and not a string: concatenating the ~100 pieces of a span builds a rope that V8 must
 * flatten and then re-encode, which measured slower than the stock serializer itself.
 */
import type { HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  type IExportLogsServiceResponse,
  type IExportTraceServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

const NANOS_PER_SECOND = 1_000_000_000;

/** Returns HrTime as decimal nanoseconds since the epoch, as otlp-transformer's BigInt path does. */
export function hrTimeToNanosString(time: HrTime): string {
  const seconds = Math.trunc(time[0]);
  const nanos = Math.trunc(time[1]);
  if (nanos >= 0 && nanos < NANOS_PER_SECOND && seconds <= Number.MAX_SAFE_INTEGER) {
    if (seconds > 0) return String(seconds) + String(nanos + NANOS_PER_SECOND).slice(1);
    if (seconds === 0) return String(nanos);
  }
  return (BigInt(seconds) * 1_000_000_000n + BigInt(nanos)).toString();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX_DIGITS = '0123456789abcdef';
/** The two-character escapes JSON.stringify uses for control characters, by code (0: none). */
const SHORT_ESCAPES = new Uint8Array(0x20);
SHORT_ESCAPES[0x08] = 0x62; // \b
SHORT_ESCAPES[0x09] = 0x74; // \t
SHORT_ESCAPES[0x0a] = 0x6e; // \n
SHORT_ESCAPES[0x0c] = 0x66; // \f
SHORT_ESCAPES[0x0d] = 0x72; // \r

const EMPTY = new Uint8Array(0);
/** The first buffer of a request is sized from the last one's, up to this (it grows past it if needed). */
const MAX_INITIAL_CAPACITY = 4 * 1024 * 1024;
/** Encodes the cached chunks; all of them plain Uint8Arrays, so copying them stays monomorphic. */
const utf8 = new TextEncoder();

/**
 * Writes JSON as UTF-8 into a buffer; strings are escaped exactly as JSON.stringify does. Each
 * request gets a fresh buffer sized from the previous one, which is handed over as is (the
 * transport keeps it for retries), so nothing is copied at the end.
 */
class JsonWriter {
  buf: Uint8Array = EMPTY;
  pos = 0;
  /** Items of one batch mostly start and end within the same second. */
  private lastSeconds = 0;
  private lastSecondsText = '0';

  start(capacity: number): void {
    this.buf = new Uint8Array(capacity);
    this.pos = 0;
  }

  /** Returns what was written, and lets go of the buffer. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = EMPTY;
    return out;
  }

  reserve(bytes: number): void {
    const needed = this.pos + bytes;
    if (needed <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, 1024);
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** Writes text that is ASCII and needs no escaping (literals, numbers, base64). */
  raw(text: string): void {
    const length = text.length;
    this.reserve(length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  bytes(chunk: Uint8Array): void {
    const length = chunk.length;
    if (length === 0) return;
    this.reserve(length);
    this.buf.set(chunk, this.pos);
    this.pos += length;
  }

  /** Writes a JSON string literal, as JSON.stringify(text) encoded as UTF-8 would be. */
  string(text: string): void {
    const length = text.length;
    // Every UTF-16 unit becomes at most 6 bytes (\u00XX, or an escaped lone surrogate).
    this.reserve(length * 6 + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = QUOTE;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x20 && c < 0x80) {
        if (c === QUOTE || c === BACKSLASH) buf[pos++] = BACKSLASH;
        buf[pos++] = c;
      } else if (c < 0x20) {
        buf[pos++] = BACKSLASH;
        const short = SHORT_ESCAPES[c] as number;
        if (short !== 0) {
          buf[pos++] = short;
        } else {
          buf[pos++] = 0x75; // u00XX
          buf[pos++] = 0x30;
          buf[pos++] = 0x30;
          buf[pos++] = HEX_DIGITS.charCodeAt(c >> 4);
          buf[pos++] = HEX_DIGITS.charCodeAt(c & 0xf);
        }
      } else if (c < 0x800) {
        buf[pos++] = 0xc0 | (c >> 6);
        buf[pos++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        buf[pos++] = 0xe0 | (c >> 12);
        buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
        buf[pos++] = 0x80 | (c & 0x3f);
      } else {
        const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const codePoint = ((c - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
          buf[pos++] = 0xf0 | (codePoint >> 18);
          buf[pos++] = 0x80 | ((codePoint >> 12) & 0x3f);
          buf[pos++] = 0x80 | ((codePoint >> 6) & 0x3f);
          buf[pos++] = 0x80 | (codePoint & 0x3f);
          i++;
        } else {
          // Well-formed JSON.stringify escapes a lone surrogate as \udXXX (lowercase hex).
          buf[pos++] = BACKSLASH;
          buf[pos++] = 0x75;
          buf[pos++] = HEX_DIGITS.charCodeAt(c >> 12);
          buf[pos++] = HEX_DIGITS.charCodeAt((c >> 8) & 0xf);
          buf[pos++] = HEX_DIGITS.charCodeAt((c >> 4) & 0xf);
          buf[pos++] = HEX_DIGITS.charCodeAt(c & 0xf);
        }
      }
    }
    buf[pos++] = QUOTE;
    this.pos = pos;
  }

  byte(code: number): void {
    this.reserve(1);
    this.buf[this.pos++] = code;
  }

  number(value: number): void {
    if (value >= 0 && value <= 0x7fffffff && (value | 0) === value) {
      this.smallInteger(value);
      return;
    }
    this.raw(Number.isFinite(value) ? String(value) : 'null');
  }

  /** Writes a non-negative int32 without converting it to a string first. */
  private smallInteger(value: number): void {
    let digits = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
    this.reserve(digits);
    const buf = this.buf;
    let rest = value;
    for (let i = this.pos + digits - 1; i >= this.pos; i--) {
      buf[i] = 0x30 + (rest % 10);
      rest = (rest / 10) | 0;
    }
    this.pos += digits;
  }

  /** Writes HrTime as a string of nanoseconds since the epoch (see hrTimeToNanosString). */
  unixNanos(time: HrTime): void {
    const seconds = Math.trunc(time[0]);
    let nanos = Math.trunc(time[1]);
    if (!(seconds > 0 && seconds <= Number.MAX_SAFE_INTEGER && nanos >= 0 && nanos < NANOS_PER_SECOND)) {
      this.raw(`"${hrTimeToNanosString(time)}"`);
      return;
    }
    if (seconds !== this.lastSeconds) {
      this.lastSeconds = seconds;
      this.lastSecondsText = String(seconds);
    }
    const secondsText = this.lastSecondsText;
    this.reserve(secondsText.length + 11);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = QUOTE;
    for (let i = 0; i < secondsText.length; i++) buf[pos++] = secondsText.charCodeAt(i);
    for (let i = pos + 8; i >= pos; i--) {
      buf[i] = 0x30 + (nanos % 10);
      nanos = (nanos / 10) | 0;
    }
    pos += 9;
    buf[pos++] = QUOTE;
    this.pos = pos;
  }

  /** Writes `prefix` and the value, or nothing where JSON.stringify would omit the member. */
  member(prefix: string, value: unknown): void {
    if (value === undefined) return;
    if (typeof value === 'string') {
      this.raw(prefix);
      this.string(value);
    } else if (typeof value === 'number') {
      this.raw(prefix);
      this.number(value);
    } else {
      this.bytes(memberBytes(prefix, value));
    }
  }

  /** Writes an OTLP AnyValue, mirroring otlp-transformer's `toAnyValue`. */
  anyValue(value: unknown): void {
    switch (typeof value) {
      case 'string':
        this.raw('{"stringValue":');
        this.string(value);
        this.raw('}');
        return;
      case 'number':
        this.raw(Number.isInteger(value) ? '{"intValue":' : '{"doubleValue":');
        this.number(value);
        this.raw('}');
        return;
      case 'boolean':
        this.raw(value ? '{"boolValue":true}' : '{"boolValue":false}');
        return;
      case 'object':
        if (value === null) break;
        if (value instanceof Uint8Array) {
          this.raw('{"bytesValue":"');
          this.raw(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
          this.raw('"}');
        } else if (Array.isArray(value)) {
          this.raw('{"arrayValue":{"values":[');
          for (let i = 0; i < value.length; i++) {
            if (i > 0) this.raw(',');
            this.anyValue(value[i]);
          }
          this.raw(']}}');
        } else {
          this.raw('{"kvlistValue":{"values":');
          this.keyValues(value as Readonly<Record<string, unknown>>);
          this.raw('}}');
        }
        return;
    }
    this.raw('{}');
  }

  /** Writes a KeyValue list for the object's own enumerable keys, in Object.keys order. */
  keyValues(attributes: Readonly<Record<string, unknown>>): void {
    const keys = Object.keys(attributes);
    this.byte(0x5b); // [
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const prefixes = keyValuePrefixes(key);
      const value = attributes[key];
      if (i > 0) this.byte(0x2c); // ,
      if (typeof value === 'string') {
        this.bytes(prefixes.stringValue);
        this.string(value);
        this.raw('}}');
      } else if (typeof value === 'number') {
        this.bytes(Number.isInteger(value) ? prefixes.intValue : prefixes.doubleValue);
        this.number(value);
        this.raw('}}');
      } else {
        this.bytes(prefixes.anyValue);
        this.anyValue(value);
        this.byte(0x7d); // }
      }
    }
    this.byte(0x5d); // ]
  }

  /** Writes what `write` writes and returns a copy of those bytes. */
  capture(write: () => void): Uint8Array {
    const start = this.pos;
    write();
    return new Uint8Array(this.buf.subarray(start, this.pos));
  }
}

const writer = new JsonWriter();

/** `{"key":<key>,"value":` as UTF-8, alone and followed by the scalar value types' openings. */
interface KeyValuePrefixes {
  readonly anyValue: Uint8Array;
  readonly stringValue: Uint8Array;
  readonly intValue: Uint8Array;
  readonly doubleValue: Uint8Array;
}

const KEY_CACHE_LIMIT = 4096;
const keyPrefixes = new Map<string, KeyValuePrefixes>();

/** Returns the prefixes of a key's KeyValue, cached per key (attribute names are few; map bodies may not be). */
function keyValuePrefixes(key: string): KeyValuePrefixes {
  let prefixes = keyPrefixes.get(key);
  if (prefixes === undefined) {
    const prefix = `{"key":${JSON.stringify(key)},"value":`;
    prefixes = {
      anyValue: utf8.encode(prefix),
      stringValue: utf8.encode(`${prefix}{"stringValue":`),
      intValue: utf8.encode(`${prefix}{"intValue":`),
      doubleValue: utf8.encode(`${prefix}{"doubleValue":`),
    };
    if (keyPrefixes.size < KEY_CACHE_LIMIT) keyPrefixes.set(key, prefixes);
  }
  return prefixes;
}

const NOTHING = new Uint8Array(0);

/** Returns `prefix` and the value as UTF-8, or nothing where JSON.stringify would omit the member. */
function memberBytes(prefix: string, value: unknown): Uint8Array {
  const json = value === undefined ? undefined : (JSON.stringify(value) as string | undefined);
  return json === undefined ? NOTHING : utf8.encode(prefix + json);
}

/** A serialized resource or scope, cached per object. */
interface CachedBlock {
  /** The `resource` or `scope` object. */
  readonly json: Uint8Array;
  /** The `,"schemaUrl":…` member closing resourceSpans/resourceLogs or scopeSpans/scopeLogs, possibly empty. */
  readonly schemaUrlMember: Uint8Array;
}

const resourceBlocks = new WeakMap<Resource, CachedBlock>();

/** Writes the `resource` object and returns the block, cached per Resource object. */
function writeResource(w: JsonWriter, resource: Resource): CachedBlock {
  const cached = resourceBlocks.get(resource);
  if (cached !== undefined) {
    w.bytes(cached.json);
    return cached;
  }
  const schemaUrl = resource.schemaUrl;
  const schemaUrlMember = schemaUrl ? memberBytes(',"schemaUrl":', schemaUrl) : NOTHING;
  const json = w.capture(() => {
    w.raw('{"attributes":');
    w.keyValues(resource.attributes);
    w.raw(',"droppedAttributesCount":0');
    w.bytes(schemaUrlMember);
    w.raw('}');
  });
  const block = { json, schemaUrlMember };
  // Attributes still being detected would change: such a resource is written afresh each time.
  if (resource.asyncAttributesPending !== true) resourceBlocks.set(resource, block);
  return block;
}

/** A scope as the SDKs hand it over; logger scopes may carry attributes. */
type Scope = InstrumentationScope & { readonly attributes?: Readonly<Record<string, unknown>>; readonly droppedAttributesCount?: number };

const scopeBlocks = new WeakMap<Scope, CachedBlock>();

/** Writes the `scope` object and returns the block, cached per scope object. */
function writeScope(w: JsonWriter, scope: Scope): CachedBlock {
  const cached = scopeBlocks.get(scope);
  if (cached !== undefined) {
    w.bytes(cached.json);
    return cached;
  }
  const schemaUrlMember = memberBytes(',"schemaUrl":', scope.schemaUrl);
  const json = w.capture(() => {
    w.raw('{"name":');
    w.string(scope.name);
    w.member(',"version":', scope.version);
    const attributes = scope.attributes;
    if (attributes && Object.keys(attributes).length > 0) {
      w.raw(',"attributes":');
      w.keyValues(attributes);
      w.raw(',"droppedAttributesCount":');
      w.number(scope.droppedAttributesCount ?? 0);
    }
    w.raw('}');
  });
  const block = { json, schemaUrlMember };
  scopeBlocks.set(scope, block);
  return block;
}

const spanGroupKeys = new WeakMap<InstrumentationScope, string>();

/** Returns otlp-transformer's grouping key for spans: name, version and schema URL, not identity. */
function spanGroupKey(scope: InstrumentationScope): string {
  let key = spanGroupKeys.get(scope);
  if (key === undefined) {
    key = `${scope.name}@${scope.version || ''}:${scope.schemaUrl || ''}`;
    spanGroupKeys.set(scope, key);
  }
  return key;
}

const SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE = 0x100;
const SPAN_FLAGS_CONTEXT_IS_REMOTE = 0x200;

/** Returns the OTLP span flags: W3C trace flags plus the has-is-remote and is-remote bits. */
function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE | (isRemote ? SPAN_FLAGS_CONTEXT_IS_REMOTE : 0);
}

function writeTraceState(w: JsonWriter, ctx: SpanContext): void {
  if (ctx.traceState !== undefined) w.member(',"traceState":', ctx.traceState.serialize());
}

function writeSpan(w: JsonWriter, span: ReadableSpan): void {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext;
  w.raw('{"traceId":');
  w.string(ctx.traceId);
  w.raw(',"spanId":');
  w.string(ctx.spanId);
  if (parent?.spanId) {
    w.raw(',"parentSpanId":');
    w.string(parent.spanId);
  }
  writeTraceState(w, ctx);
  w.raw(',"name":');
  w.string(span.name);
  w.raw(',"kind":');
  w.number(span.kind == null ? 0 : span.kind + 1);
  w.raw(',"startTimeUnixNano":');
  w.unixNanos(span.startTime);
  w.raw(',"endTimeUnixNano":');
  w.unixNanos(span.endTime);
  w.raw(',"attributes":');
  w.keyValues(span.attributes);
  w.member(',"droppedAttributesCount":', span.droppedAttributesCount);
  w.raw(',"events":');
  writeArray(w, span.events, writeEvent);
  w.member(',"droppedEventsCount":', span.droppedEventsCount);
  w.raw(',"status":{"code":');
  w.number(span.status.code);
  w.member(',"message":', span.status.message);
  w.raw('},"links":');
  writeArray(w, span.links, writeLink);
  w.member(',"droppedLinksCount":', span.droppedLinksCount);
  w.raw(',"flags":');
  w.number(spanFlags(ctx.traceFlags, parent?.isRemote));
  w.raw('}');
}

function writeArray<T>(w: JsonWriter, items: readonly T[], write: (w: JsonWriter, item: T) => void): void {
  w.raw('[');
  for (let i = 0; i < items.length; i++) {
    if (i > 0) w.raw(',');
    write(w, items[i] as T);
  }
  w.raw(']');
}

function writeEvent(w: JsonWriter, event: TimedEvent): void {
  w.raw('{"attributes":');
  if (event.attributes) w.keyValues(event.attributes);
  else w.raw('[]');
  w.raw(',"name":');
  w.string(event.name);
  w.raw(',"timeUnixNano":');
  w.unixNanos(event.time);
  w.raw(',"droppedAttributesCount":');
  w.number(event.droppedAttributesCount || 0);
  w.raw('}');
}

function writeLink(w: JsonWriter, link: Link): void {
  const ctx = link.context;
  w.raw('{"attributes":');
  if (link.attributes) w.keyValues(link.attributes);
  else w.raw('[]');
  w.raw(',"spanId":');
  w.string(ctx.spanId);
  w.raw(',"traceId":');
  w.string(ctx.traceId);
  writeTraceState(w, ctx);
  w.raw(',"droppedAttributesCount":');
  w.number(link.droppedAttributesCount || 0);
  w.raw(',"flags":');
  w.number(spanFlags(ctx.traceFlags, ctx.isRemote));
  w.raw('}');
}

function writeLogRecord(w: JsonWriter, log: ReadableLogRecord): void {
  w.raw('{"timeUnixNano":');
  w.unixNanos(log.hrTime);
  w.raw(',"observedTimeUnixNano":');
  w.unixNanos(log.hrTimeObserved);
  w.member(',"severityNumber":', log.severityNumber);
  w.member(',"severityText":', log.severityText);
  w.raw(',"body":');
  w.anyValue(log.body);
  w.member(',"eventName":', log.eventName);
  w.raw(',"attributes":');
  w.keyValues(log.attributes);
  w.member(',"droppedAttributesCount":', log.droppedAttributesCount);
  const ctx = log.spanContext;
  if (ctx !== undefined) {
    w.member(',"flags":', ctx.traceFlags);
    w.member(',"traceId":', ctx.traceId);
    w.member(',"spanId":', ctx.spanId);
  }
  w.raw('}');
}

/** Returns the items grouped by resource, then by `scopeKey`, both in order of first appearance. */
function groupByResourceAndScope<T extends { readonly resource: Resource }, K>(items: readonly T[], scopeKey: (item: T) => K): Map<Resource, Map<K, T[]>> {
  const byResource = new Map<Resource, Map<K, T[]>>();
  for (const item of items) {
    let byScope = byResource.get(item.resource);
    if (byScope === undefined) {
      byScope = new Map();
      byResource.set(item.resource, byScope);
    }
    const key = scopeKey(item);
    const group = byScope.get(key);
    if (group === undefined) byScope.set(key, [item]);
    else group.push(item);
  }
  return byResource;
}

/** The parts in which the two signals' requests differ. */
interface SignalShape<T extends { readonly resource: Resource; readonly instrumentationScope: Scope }> {
  /** `{"resourceSpans":[` */
  readonly open: string;
  /** `,"scopeSpans":[` */
  readonly scopes: string;
  /** `,"spans":[` */
  readonly items: string;
  readonly scopeKey: (item: T) => unknown;
  readonly writeItem: (w: JsonWriter, item: T) => void;
  /** The last request's size per item, to size the next one's buffer. */
  readonly sizing: { bytesPerItem: number };
}

function serialize<T extends { readonly resource: Resource; readonly instrumentationScope: Scope }>(items: readonly T[], shape: SignalShape<T>): Uint8Array {
  const w = writer;
  w.start(Math.min(Math.ceil(items.length * shape.sizing.bytesPerItem * 1.25) + 1024, MAX_INITIAL_CAPACITY));
  w.raw(shape.open);
  let firstResource = true;
  for (const [resource, byScope] of groupByResourceAndScope(items, shape.scopeKey)) {
    w.raw(firstResource ? '{"resource":' : ',{"resource":');
    firstResource = false;
    const resourceJson = writeResource(w, resource);
    w.raw(shape.scopes);
    let firstScope = true;
    for (const group of byScope.values()) {
      w.raw(firstScope ? '{"scope":' : ',{"scope":');
      firstScope = false;
      const scope = writeScope(w, (group[0] as T).instrumentationScope);
      w.raw(shape.items);
      for (let i = 0; i < group.length; i++) {
        if (i > 0) w.raw(',');
        shape.writeItem(w, group[i] as T);
      }
      w.raw(']');
      w.bytes(scope.schemaUrlMember);
      w.raw('}');
    }
    w.raw(']');
    w.bytes(resourceJson.schemaUrlMember);
    w.raw('}');
  }
  w.raw(']}');
  if (items.length > 0) shape.sizing.bytesPerItem = w.pos / items.length;
  return w.take();
}

const SPANS: SignalShape<ReadableSpan> = {
  open: '{"resourceSpans":[',
  scopes: ',"scopeSpans":[',
  items: ',"spans":[',
  scopeKey: (span) => spanGroupKey(span.instrumentationScope),
  writeItem: writeSpan,
  sizing: { bytesPerItem: 2048 },
};

const LOG_RECORDS: SignalShape<ReadableLogRecord> = {
  open: '{"resourceLogs":[',
  scopes: ',"scopeLogs":[',
  items: ',"logRecords":[',
  scopeKey: (log) => log.instrumentationScope,
  writeItem: writeLogRecord,
  sizing: { bytesPerItem: 1024 },
};

/** OTLP/JSON serializer for spans, equal in output to otlp-transformer's JsonTraceSerializer. */
export const fastJsonTraceSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: (spans) => serialize(spans, SPANS),
  deserializeResponse: (data) => JsonTraceSerializer.deserializeResponse(data),
};

/** OTLP/JSON serializer for log records, equal in output to otlp-transformer's JsonLogsSerializer. */
export const fastJsonLogsSerializer: ISerializer<ReadableLogRecord[], IExportLogsServiceResponse> = {
  serializeRequest: (logs) => serialize(logs, LOG_RECORDS),
  deserializeResponse: (data) => JsonLogsSerializer.deserializeResponse(data),
};
