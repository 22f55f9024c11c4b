/**
 * Turns every domain event into an OpenTelemetry log record (event name, severity, fields as
 * attributes, secrets masked), emitted in the context of the span it belongs to: the active
 * span for events raised while sending, or, for an order's later life reported by the user
 * stream, a short `mm.order.update` span in the trace of the request that created the order.
 */
import { context, logs, SeverityNumber, SpanKind, SpanStatusCode, trace, type AnyValue, type Attributes, type Context, type Logger } from '@opentelemetry/api';
import { EventDecimal } from '../core/event-values.ts';
import { eventSeverity, type DomainEvent, type EventSeverity, type FieldValue } from '../core/events.ts';
import type { AfterWire } from './after-wire.ts';
import { isSecretKey, maskValue } from './masking.ts';
import { ATTR, connectionAttr, INSTRUMENTATION_SCOPE, orderLifeAttr, SPANS } from './names.ts';
import type { OrderContexts } from './order-contexts.ts';

const SEVERITY: Readonly<Record<EventSeverity, SeverityNumber>> = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  // OpenTelemetry has no CRITICAL: FATAL is its rank, the text stays specification 002's.
  critical: SeverityNumber.FATAL,
};

/** Events that report an order's later life from the user stream or a status query. */
const ORDER_LIFE_EVENTS = new Set<string>(['order_update', 'order_filled', 'order_settled']);
/** Connection events that become spans of their own when nothing else is active. */
const CONNECTION_SPANS: Readonly<Record<string, string>> = {
  ws_connected: SPANS.reconnect,
  ws_disconnected: SPANS.reconnect,
  listen_key_event: SPANS.listenKey,
};

function toAnyValue(key: string, value: FieldValue): AnyValue {
  if (value === null) return null;
  if (typeof value === 'string') return isSecretKey(key) ? maskValue(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof EventDecimal) return value.toString();
  return JSON.stringify(maskDeep(value));
}

function maskDeep(value: FieldValue): FieldValue {
  if (value === null || typeof value !== 'object' || value instanceof EventDecimal) return value;
  if (Array.isArray(value)) return value.map(maskDeep);
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(value as Record<string, FieldValue>)) out[k] = typeof v === 'string' && isSecretKey(k) ? maskValue(v) : maskDeep(v);
  return out;
}

export class OtelEventBridge {
  private readonly logger: Logger;
  private readonly tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  private readonly orderContexts: OrderContexts;
  private readonly afterWire: AfterWire;

  constructor(orderContexts: OrderContexts, afterWire: AfterWire) {
    this.logger = logs.getLogger(INSTRUMENTATION_SCOPE);
    this.orderContexts = orderContexts;
    this.afterWire = afterWire;
  }

  /**
   * Returns an EventBus listener. It captures the active context when the event happens; the
   * record (timestamped with the event's own time) is built and emitted after the orders being
   * sent are on the wire.
   */
  listener(): (event: DomainEvent) => void {
    return (event) => {
      const active = context.active();
      this.afterWire.run(() => this.onEvent(event, active));
    };
  }

  private onEvent(event: DomainEvent, active: Context): void {
    const id = event.clientOrderId;
    let ctx: Context = active;
    if (id !== undefined) {
      if (event.event === 'order_submit') {
        // The REST span of this order may already have recorded its own (more precise) context.
        if (this.orderContexts.get(id) === undefined) this.orderContexts.set(id, ctx);
      } else {
        const known = this.orderContexts.get(id);
        // An order's records stay in the trace of the request that created it, even when a later
        // decision (a cancel, a requote) is the active span.
        if (known !== undefined && trace.getSpanContext(ctx)?.traceId !== trace.getSpanContext(known)?.traceId) ctx = known;
        if (known !== undefined && ORDER_LIFE_EVENTS.has(event.event)) ctx = this.lifeSpan(event, known);
      }
    }
    const connectionSpan = CONNECTION_SPANS[event.event];
    if (connectionSpan !== undefined && trace.getSpan(ctx) === undefined) ctx = this.connectionSpan(connectionSpan, event, ctx);
    const attributes: Attributes = { [ATTR.eventName]: event.event };
    for (const [key, value] of Object.entries(event.fields as Record<string, FieldValue>)) {
      const v = toAnyValue(key, value);
      if (v !== null && v !== undefined) attributes[key] = v as Attributes[string];
    }
    const severity = eventSeverity(event);
    this.logger.emit({
      eventName: event.event,
      severityNumber: SEVERITY[severity],
      severityText: severity.toUpperCase(),
      body: event.event,
      attributes,
      context: ctx,
      timestamp: event.atMs,
    });
  }

  /** Records a stream connection change or listenKey action as a span of its own. */
  private connectionSpan(name: string, event: DomainEvent, parent: Context): Context {
    const fields = event.fields as Record<string, FieldValue>;
    const attributes: Attributes = { [ATTR.eventName]: event.event };
    for (const key of ['stream', 'reason', 'action', 'error'] as const) {
      const v = fields[key];
      if (typeof v === 'string') attributes[connectionAttr(key)] = v;
    }
    const span = this.tracer.startSpan(`${name} ${event.event}`, { kind: SpanKind.INTERNAL, attributes }, parent);
    if (event.event === 'ws_disconnected' || fields.error) span.setStatus({ code: SpanStatusCode.ERROR, message: String(fields.reason ?? fields.error) });
    span.end();
    return trace.setSpan(parent, span);
  }

  /** Records one step of an order's life as a span in the order's own trace. */
  private lifeSpan(event: DomainEvent, parent: Context): Context {
    const fields = event.fields as Record<string, FieldValue>;
    const attributes: Attributes = { [ATTR.eventName]: event.event, [ATTR.clientOrderId]: event.clientOrderId ?? '' };
    for (const key of ['symbol', 'status', 'execution', 'side', 'last_qty', 'last_price', 'via', 'is_maker'] as const) {
      const v = fields[key];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[orderLifeAttr(key)] = v;
      else if (v instanceof EventDecimal) attributes[orderLifeAttr(key)] = v.toString();
    }
    const span = this.tracer.startSpan(`${SPANS.orderUpdate} ${event.event}`, { kind: SpanKind.CONSUMER, attributes }, parent);
    span.end();
    return trace.setSpan(parent, span);
  }
}
