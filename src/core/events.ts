/**
 * Domain events: everything that happens, past tense, as flat records. The event log, stdout
 * logs and OpenTelemetry subscribe to these; business code never calls a logger directly.
 * Field names are the event log's contract (README "Event log"). Prices, quantities and money
 * are typed (ticks, steps, Money: src/core/event-values.ts) and become decimal strings only in
 * the sinks; durations and counts are numbers, times epoch milliseconds, absent values null.
 * Every published event carries our time (`atMs`); those reporting what the venue did carry
 * the venue's too (`venue_time_ms`).
 */
import type { ClockReading } from './clock.ts';
import type { Amount, EventDecimal, FractionalPrice, Price, Quantity } from './event-values.ts';

export type FieldValue = string | number | boolean | null | EventDecimal | FieldRecord | readonly FieldValue[];
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
  reconcile_done: { symbol: string; open_orders: number; adopted: number; cancelled: number; position: Quantity; trigger: string };
  quote_decided: {
    symbol: string;
    mid: FractionalPrice | null;
    bid: Price | null;
    ask: Price | null;
    bid_qty: Quantity | null;
    ask_qty: Quantity | null;
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
    price: Price | null;
    qty: Quantity;
    reduce_only: boolean;
    time_in_force: string | null;
    purpose: string;
  };
  order_submit_result: OrderRef & {
    side: string;
    type: string;
    price: Price | null;
    qty: Quantity;
    duration_ms: number;
    outcome: string;
    order_id: string | null;
    error: string | null;
    /** 'ws' (the WebSocket API) or 'rest': how the request travelled; null when it was never sent. */
    transport: string | null;
    error_code: number | null;
  };
  order_placed: OrderRef & { order_id: string; side: string; price: Price | null; qty: Quantity; latency_ms: number | null };
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
    price: Price;
    qty: Quantity;
    last_qty: Quantity;
    last_price: Price;
    cum_qty: Quantity;
    commission: Amount;
    commission_asset: string;
    realized_pnl: Amount;
    is_maker: boolean;
    pending_buy: Quantity;
    pending_sell: Quantity;
    /** The venue's transaction time of the update (T). */
    venue_time_ms: number;
  };
  order_filled: OrderRef & {
    order_id: string;
    side: string;
    price: Price;
    qty: Quantity;
    commission: Amount;
    realized_pnl: Amount;
    is_maker: boolean;
    full: boolean;
    via: 'user_stream' | 'backfill';
    /** The venue's time of the trade. */
    venue_time_ms: number;
  };
  order_cancel: OrderRef & { reason: string };
  order_cancel_result: OrderRef & { outcome: string; duration_ms: number; error: string | null; transport: string | null };
  cancel_all_done: { symbol: string; cancelled: number; open_orders_left: number | null; duration_ms: number; error: string | null; trigger: string };
  position_update: { symbol: string; position: Quantity; entry_price: FractionalPrice; pnl: Amount; unrealized_pnl: Amount; reason: string };
  funding_update: {
    symbol: string;
    rate: string;
    predicted_rate: string;
    accum_pnl: Amount;
    funding_fee: Amount | null;
    next_funding_time: number | null;
    /** What told us: the mark price stream (a rate change), the user stream (a payment) or the income history (a payment the stream missed). */
    via: 'mark_price' | 'user_stream' | 'income';
  };
  risk_state_changed: { symbol: string; from: number; to: number; reason: string; position_notional: Amount; worst_long: Amount; worst_short: Amount };
  risk_freeze: { symbol: string; reason: string; risk_ratio: number | null; freezes_total: number };
  freeze_triggered: { symbol: string; reason: string; edge_bps: number | null; threshold: number | null };
  freeze_cleared: { symbol: string; reason: string };
  reduce_only_force: { symbol: string; side: string; qty: Quantity; price: Price | null; client_id: string; error: string | null };
  reduce_only_force_error: { symbol: string; side: string; qty: Quantity; error: string; client_id: string | null };
  grinding: { symbol: string; side: string; qty: Quantity; price: Price; entry_price: FractionalPrice; client_id: string };
  runner_snapshot: {
    symbol: string;
    mid: Price | null;
    position: Quantity;
    pending_buy: Quantity;
    pending_sell: Quantity;
    risk_state: number;
    realized_pnl: Amount;
    unrealized_pnl: Amount;
    fees: Amount;
    funding_accum: Amount;
    open_orders: number;
    suppressed: string | null;
  };
  margin_call: { cross_wallet_balance: Amount; symbols: string };
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
 * An event as the core builds it: what happened, not yet when. A discriminated union on `event`,
 * so that code which checks the name reads that event's own fields, typed.
 */
export type EventDraft<E extends EventName = EventName> = DraftsByName[E];

type DraftsByName = {
  readonly [K in EventName]: {
    readonly event: K;
    readonly fields: EventFields[K];
    /** The order's client id when the event concerns one order (for trace correlation). */
    readonly clientOrderId?: string;
  };
};

/**
 * A published event: the draft stamped with our wall time by the bus that delivered it. Also a
 * discriminated union (`DomainEvent<'order_filled'>` for one kind).
 */
export type DomainEvent<E extends EventName = EventName> = PublishedByName[E];

type PublishedByName = {
  readonly [K in EventName]: DraftsByName[K] & {
    /** Our wall time (epoch ms) when the event was published. */
    readonly atMs: number;
  };
};

/** Returns a typed event draft (the bus stamps its time when it publishes it). */
export function domainEvent<E extends EventName>(event: E, fields: EventFields[E], clientOrderId?: string): EventDraft<E> {
  return (clientOrderId === undefined ? { event, fields } : { event, fields, clientOrderId }) as EventDraft<E>;
}

/** Returns true when the event is of kind `name` (narrowing it to that kind's fields). */
export function isEvent<E extends EventName>(event: EventDraft, name: E): event is EventDraft<E> {
  return event.event === name;
}

/** How grave an event is: specification 002's levels (CRITICAL: a stop that left something behind). */
export type EventSeverity = 'debug' | 'info' | 'warn' | 'error' | 'critical';

/** Returns the severity of `event` (its name decides, except for a graceful stop that failed). */
export function eventSeverity(event: EventDraft): EventSeverity {
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
  private readonly clock: ClockReading;
  private readonly onListenerError: (error: unknown, event: DomainEvent) => void;

  /** `clock` stamps each event's `atMs` as it is published. */
  constructor(clock: ClockReading, onListenerError: (error: unknown, event: DomainEvent) => void = () => {}) {
    this.clock = clock;
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

  /** Stamps the event with the time now and delivers it to every listener in subscription order. */
  publish(draft: EventDraft): void {
    const atMs = this.clock.nowMs();
    const event = (
      draft.clientOrderId === undefined
        ? { event: draft.event, fields: draft.fields, atMs }
        : { event: draft.event, fields: draft.fields, clientOrderId: draft.clientOrderId, atMs }
    ) as DomainEvent;
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
