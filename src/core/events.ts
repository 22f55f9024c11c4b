/**
 * Domain events: everything that happens, past tense, as flat records. The event log, stdout
 * logs and OpenTelemetry subscribe to these; business code never calls a logger directly.
 * Field names are the event log's contract (README "Event log"): money and prices are decimal
 * strings, durations and counts numbers, absent values null.
 */

export type FieldValue = string | number | boolean | null | FieldRecord | readonly FieldValue[];
export interface FieldRecord {
  readonly [key: string]: FieldValue;
}

/** Fields every order-scoped event carries so one client id finds the whole story. */
interface OrderRef {
  readonly symbol: string;
  readonly client_id: string;
}

export interface EventFields {
  runner_start: { symbol: string; marginType: string; config: FieldRecord; exchange: string; shadow: boolean };
  runner_stop_signal: { symbol: string; marginType: string; config: FieldRecord; signal: string };
  runner_stopped: { reason: string; open_orders_left: number | null; clean: boolean; deadman: 'off' | 'disarmed' | 'left_armed'; duration_ms: number };
  ws_connected: { stream: string; listenKey: string | null; url: string };
  ws_disconnected: { stream: string; listenKey: string | null; reason: string };
  listen_key_event: { action: 'created' | 'renewed' | 'renew_failed' | 'expired' | 'recreated' | 'closed'; listenKey: string | null; error: string | null };
  reconcile_done: { symbol: string; open_orders: number; adopted: number; cancelled: number; position: string; trigger: string };
  quote_decided: {
    symbol: string;
    mid: string | null;
    bid: string | null;
    ask: string | null;
    bid_qty: string | null;
    ask_qty: string | null;
    skew_bps: number;
    risk_state: number;
    suppressed: string | null;
    decision_id: string;
  };
  quote_suppressed: { symbol: string; reason: string; detail: string | null };
  quote_resumed: { symbol: string; previous_reason: string };
  order_submit: OrderRef & {
    side: string;
    type: string;
    price: string | null;
    qty: string;
    reduce_only: boolean;
    time_in_force: string | null;
    purpose: string;
  };
  order_submit_result: OrderRef & {
    side: string;
    type: string;
    price: string | null;
    qty: string;
    duration_ms: number;
    outcome: string;
    order_id: string | null;
    error: string | null;
    /** 'ws' (the WebSocket API) or 'rest': how the request travelled; null when it was never sent. */
    transport: string | null;
    error_code: number | null;
  };
  order_placed: OrderRef & { order_id: string; side: string; price: string | null; qty: string; latency_ms: number | null };
  /** Specification 002's name for an order that failed to be placed (beside order_rejected). */
  order_placement_error: OrderRef & { side: string; error: string; code: number | null };
  order_rejected: OrderRef & { side: string; reason: string; code: number | null; source: string; backoff_ms: number };
  order_ambiguous: OrderRef & { side: string; reason: string };
  order_settled: OrderRef & { status: string; via: string };
  order_update: OrderRef & {
    order_id: string;
    status: string;
    execution: string;
    side: string;
    price: string;
    qty: string;
    last_qty: string;
    last_price: string;
    cum_qty: string;
    commission: string;
    commission_asset: string;
    realized_pnl: string;
    is_maker: boolean;
    pending_buy: string;
    pending_sell: string;
  };
  order_filled: OrderRef & {
    order_id: string;
    side: string;
    price: string;
    qty: string;
    commission: string;
    realized_pnl: string;
    is_maker: boolean;
    full: boolean;
    via: 'user_stream' | 'backfill';
  };
  order_cancel: OrderRef & { reason: string };
  order_cancel_result: OrderRef & { outcome: string; duration_ms: number; error: string | null; transport: string | null };
  cancel_all_done: { symbol: string; cancelled: number; open_orders_left: number | null; duration_ms: number; error: string | null; trigger: string };
  position_update: { symbol: string; position: string; entry_price: string; pnl: string; unrealized_pnl: string; reason: string };
  funding_update: {
    symbol: string;
    rate: string;
    predicted_rate: string;
    accum_pnl: string;
    funding_fee: string | null;
    next_funding_time: number | null;
    /** What told us: the mark price stream (a rate change), the user stream (a payment) or the income history (a payment the stream missed). */
    via: 'mark_price' | 'user_stream' | 'income';
  };
  risk_state_changed: { symbol: string; from: number; to: number; reason: string; position_notional: string; worst_long: string; worst_short: string };
  risk_freeze: { symbol: string; reason: string; risk_ratio: number | null; freezes_total: number };
  freeze_triggered: { symbol: string; reason: string; edge_bps: number | null; threshold: number | null };
  freeze_cleared: { symbol: string; reason: string };
  reduce_only_force: { symbol: string; side: string; qty: string; price: string | null; client_id: string; error: string | null };
  reduce_only_force_error: { symbol: string; side: string; qty: string; error: string; client_id: string | null };
  grinding: { symbol: string; side: string; qty: string; price: string; entry_price: string; client_id: string };
  runner_snapshot: {
    symbol: string;
    mid: string | null;
    position: string;
    pending_buy: string;
    pending_sell: string;
    risk_state: number;
    realized_pnl: string;
    unrealized_pnl: string;
    fees: string;
    funding_accum: string;
    open_orders: number;
    suppressed: string | null;
  };
  margin_call: { cross_wallet_balance: string; symbols: string };
  exchange_error: { operation: string; error: string; code: number | null; http_status: number | null };
  malformed_message: { source: string; error: string; sample: string };
  rate_limited: { status: number; retry_after_ms: number; operation: string };
  /** The transport orders take changed (or was first chosen at connect): ws (the WebSocket API) or rest. */
  order_transport_changed: { transport: 'ws' | 'rest'; reason: string };
  time_sync: { offset_ms: number; rtt_ms: number };
  countdown_cancel_all: { symbol: string; countdown_ms: number; ok: boolean; error: string | null };
  another_instance: { symbol: string; our_session: string; other_session: string; client_id: string; action: 'stopping' | 'continuing' };
}

export type EventName = keyof EventFields;

/**
 * One domain event: a discriminated union on `event`, so that a subscriber which checks the name
 * reads that event's own fields, typed (`DomainEvent<'order_filled'>` for one kind).
 */
export type DomainEvent<E extends EventName = EventName> = EventsByName[E];

type EventsByName = {
  readonly [K in EventName]: {
    readonly event: K;
    readonly fields: EventFields[K];
    /** The order's client id when the event concerns one order (for trace correlation). */
    readonly clientOrderId?: string;
  };
};

/** Returns a typed domain event. */
export function domainEvent<E extends EventName>(event: E, fields: EventFields[E], clientOrderId?: string): DomainEvent<E> {
  return (clientOrderId === undefined ? { event, fields } : { event, fields, clientOrderId }) as DomainEvent<E>;
}

/** Returns true when the event is of kind `name` (narrowing it to that kind's fields). */
export function isEvent<E extends EventName>(event: DomainEvent, name: E): event is DomainEvent<E> {
  return event.event === name;
}

/** How grave an event is: specification 002's levels (CRITICAL: a stop that left something behind). */
export type EventSeverity = 'debug' | 'info' | 'warn' | 'error' | 'critical';

/** Returns the severity of `event` (its name decides, except for a graceful stop that failed). */
export function eventSeverity(event: DomainEvent): EventSeverity {
  switch (event.event) {
    case 'quote_decided':
      return 'debug';
    case 'order_rejected':
    case 'order_ambiguous':
    case 'ws_disconnected':
    case 'quote_suppressed':
    case 'risk_freeze':
    case 'freeze_triggered':
    case 'reduce_only_force':
    case 'rate_limited':
    case 'malformed_message':
    case 'risk_state_changed':
      return 'warn';
    case 'reduce_only_force_error':
    case 'another_instance':
    case 'exchange_error':
    case 'margin_call':
      return 'error';
    case 'runner_stopped':
      // Orders possibly left working at the exchange, or a stop that could not finish: CRITICAL.
      return isEvent(event, 'runner_stopped') && !event.fields.clean ? 'critical' : 'info';
    default:
      return 'info';
  }
}

/** A subscriber to domain events. */
export type EventListener = (event: DomainEvent) => void;

/** Synchronous fan-out of domain events; a failing listener never stops the others. */
export class EventBus {
  private readonly listeners: EventListener[] = [];
  private readonly onListenerError: (error: unknown, event: DomainEvent) => void;

  constructor(onListenerError: (error: unknown, event: DomainEvent) => void = () => {}) {
    this.onListenerError = onListenerError;
  }

  /** Adds a listener; returns a function that removes it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Delivers an event to every listener in subscription order. */
  publish(event: DomainEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  /** Publishes a typed event. */
  emit<E extends EventName>(event: E, fields: EventFields[E], clientOrderId?: string): void {
    this.publish(domainEvent(event, fields, clientOrderId));
  }
}
