/**
 * Masking at the OTLP export boundary: a SpanExporter and a LogRecordExporter (the SDK's public
 * interfaces) that hand the exporter they wrap masked copies of what the SDK exports. Whatever
 * text a secret hides in (span names, attributes, status messages, events, links; log bodies,
 * event names and attributes, at any depth), it is masked by the one text masker of
 * masking.ts, and values under secret-looking keys are masked whole. An item with nothing to
 * mask is passed on as is, so the common case costs one scan of its strings.
 */
import type { AnyValue, Attributes, Link, SpanStatus } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace';
import { isSecretKey, maskValue, type TextMasker } from './masking.ts';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Returns `value` with every string masked (whole under a secret key); the same object when nothing changed. */
export function maskAnyValue(value: AnyValue, mask: TextMasker, secretKey = false): AnyValue {
  if (typeof value === 'string') return secretKey ? maskValue(value) : mask(value);
  if (Array.isArray(value)) return maskList(value as AnyValue[], (item) => maskAnyValue(item, mask, secretKey));
  if (isPlainObject(value)) return maskAttributes(value, mask, secretKey);
  return value;
}

/** Returns the attributes with every string value masked; the same object when nothing changed. */
export function maskAttributes(attributes: Attributes, mask: TextMasker, secret = false): Attributes {
  let out: Attributes | null = null;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    const masked = maskAnyValue(value, mask, secret || isSecretKey(key));
    if (masked !== value) (out ??= { ...attributes })[key] = masked;
  }
  return out ?? attributes;
}

/** Returns the list with each item passed through `maskItem`; the same array when nothing changed. */
function maskList<T>(items: T[], maskItem: (item: T) => T): T[] {
  let out: T[] | null = null;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    const masked = maskItem(item);
    if (masked !== item) (out ??= [...items])[i] = masked;
  }
  return out ?? items;
}

function maskEvent(event: TimedEvent, mask: TextMasker): TimedEvent {
  const name = mask(event.name);
  const attributes = event.attributes === undefined ? undefined : maskAttributes(event.attributes, mask);
  if (name === event.name && attributes === event.attributes) return event;
  return { ...event, name, ...(attributes === undefined ? {} : { attributes }) };
}

function maskLink(link: Link, mask: TextMasker): Link {
  if (link.attributes === undefined) return link;
  const attributes = maskAttributes(link.attributes, mask);
  return attributes === link.attributes ? link : { ...link, attributes };
}

function maskStatus(status: SpanStatus, mask: TextMasker): SpanStatus {
  if (status.message === undefined) return status;
  const message = mask(status.message);
  return message === status.message ? status : { ...status, message };
}

/** Returns the span with its texts masked; the span itself when nothing needed masking. */
export function maskSpan(span: ReadableSpan, mask: TextMasker): ReadableSpan {
  const name = mask(span.name);
  const attributes = maskAttributes(span.attributes, mask);
  const status = maskStatus(span.status, mask);
  const events = maskList(span.events, (event) => maskEvent(event, mask));
  const links = maskList(span.links, (link) => maskLink(link, mask));
  if (name === span.name && attributes === span.attributes && status === span.status && events === span.events && links === span.links) return span;
  // The resource and scope objects are kept: serializers group items by their identity.
  return {
    name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext === undefined ? {} : { parentSpanContext: span.parentSpanContext }),
    startTime: span.startTime,
    endTime: span.endTime,
    status,
    attributes,
    links,
    events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Returns the log record with its texts masked; the record itself when nothing needed masking. */
export function maskLogRecord(record: ReadableLogRecord, mask: TextMasker): ReadableLogRecord {
  const body = maskAnyValue(record.body, mask);
  const eventName = record.eventName === undefined ? undefined : mask(record.eventName);
  const attributes = maskAttributes(record.attributes, mask);
  if (body === record.body && eventName === record.eventName && attributes === record.attributes) return record;
  return {
    hrTime: record.hrTime,
    hrTimeObserved: record.hrTimeObserved,
    ...(record.spanContext === undefined ? {} : { spanContext: record.spanContext }),
    ...(record.severityText === undefined ? {} : { severityText: record.severityText }),
    ...(record.severityNumber === undefined ? {} : { severityNumber: record.severityNumber }),
    ...(body === undefined ? {} : { body }),
    ...(eventName === undefined ? {} : { eventName }),
    resource: record.resource,
    instrumentationScope: record.instrumentationScope,
    attributes,
    droppedAttributesCount: record.droppedAttributesCount,
  };
}

/** Returns a SpanExporter that exports masked copies of the spans through `inner`. */
export function maskingSpanExporter(inner: SpanExporter, mask: TextMasker): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      inner.export(
        spans.map((span) => maskSpan(span, mask)),
        done,
      );
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/** Returns a LogRecordExporter that exports masked copies of the log records through `inner`. */
export function maskingLogExporter(inner: LogRecordExporter, mask: TextMasker): LogRecordExporter {
  return {
    export(records: ReadableLogRecord[], done: (result: ExportResult) => void) {
      inner.export(
        records.map((record) => maskLogRecord(record, mask)),
        done,
      );
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
}
