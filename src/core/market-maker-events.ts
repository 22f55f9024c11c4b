/**
 * The domain events the market maker emits, built from its typed state: prices in ticks,
 * quantities in steps and money stay typed (src/core/event-values.ts) until a sink writes them.
 */
import { Amount, FractionalPrice, Price, Quantity } from './event-values.ts';
import { domainEvent, type EventDraft } from './events.ts';
import { EDGE_FREEZE_REASON, RISK_LIMIT_FREEZE } from './market-maker-types.ts';
import { ZERO_TICKS, type Instrument, type Steps, type Ticks } from './instrument.ts';
import type { FreezeChange } from './edge-monitor.ts';
import type { Notionals } from './exposure.ts';
import type { Inventory } from './inventory.ts';
import type { FillRecord, FillSource, Ledger } from './ledger.ts';
import type { BookTop, OrderUpdate, PlaceOrder } from './model.ts';
import type { Money } from './money.ts';
import type { OutcomeEffect } from './order-tracker.ts';
import type { OrderTarget } from './quote-plan.ts';
import type { RiskState, RiskTransition } from './risk.ts';
import type { SuppressionReason } from './suppression.ts';

/** order_update: one ORDER_TRADE_UPDATE as applied, with the pending quantities after it. */
export function orderUpdateEvent(instrument: Instrument, update: OrderUpdate, pendingBuy: Steps, pendingSell: Steps): EventDraft {
  return domainEvent(
    'order_update',
    {
      symbol: update.symbol,
      client_id: update.clientOrderId,
      order_id: update.orderId,
      status: update.status,
      execution: update.execution,
      side: update.side,
      price: new Price(instrument, update.priceTicks),
      qty: new Quantity(instrument, update.qtySteps),
      last_qty: new Quantity(instrument, update.lastFilledSteps),
      last_price: new Price(instrument, update.lastFilledPriceTicks),
      cum_qty: new Quantity(instrument, update.cumulativeFilledSteps),
      commission: new Amount(update.commission),
      commission_asset: update.commissionAsset,
      realized_pnl: new Amount(update.realizedPnl),
      is_maker: update.isMaker,
      pending_buy: new Quantity(instrument, pendingBuy),
      pending_sell: new Quantity(instrument, pendingSell),
      venue_time_ms: update.txTimeMs,
    },
    update.clientOrderId,
  );
}

/** order_settled: an order's final or confirmed status, and how we learnt it. */
export function orderSettledEvent(symbol: string, clientOrderId: string, status: string, via: string): EventDraft {
  return domainEvent('order_settled', { symbol, client_id: clientOrderId, status, via }, clientOrderId);
}

/** order_filled: one fill with the PnL it realized. */
export function orderFilledEvent(instrument: Instrument, fill: FillRecord, realized: Money, via: FillSource): EventDraft {
  return domainEvent(
    'order_filled',
    {
      symbol: instrument.symbol,
      client_id: fill.clientOrderId,
      order_id: fill.orderId,
      side: fill.side,
      price: new Price(instrument, fill.priceTicks),
      qty: new Quantity(instrument, fill.qtySteps),
      commission: new Amount(fill.commission),
      realized_pnl: new Amount(realized),
      is_maker: fill.isMaker,
      full: fill.full,
      via,
      venue_time_ms: fill.venueTimeMs,
    },
    fill.clientOrderId,
  );
}

/** The events of an answer to a place, cancel or status query. */
export function outcomeEvents(
  instrument: Instrument,
  effect: OutcomeEffect,
  via: 'place' | 'cancel' | 'query',
  backoffMs = 0,
  latencyMs: number | null = null,
): EventDraft[] {
  const symbol = instrument.symbol;
  switch (effect.kind) {
    case 'none':
      return [];
    case 'placed': {
      const o = effect.order;
      const fields = {
        symbol,
        client_id: o.clientOrderId,
        order_id: effect.orderId,
        side: o.side,
        price: new Price(instrument, o.priceTicks),
        qty: new Quantity(instrument, o.qtySteps),
        latency_ms: latencyMs,
      };
      return [domainEvent('order_placed', fields, o.clientOrderId)];
    }
    case 'rejected': {
      const o = effect.order;
      const fields = {
        symbol,
        client_id: o.clientOrderId,
        side: o.side,
        reason: effect.reason,
        code: effect.code,
        source: effect.source,
        backoff_ms: backoffMs,
      };
      const events: EventDraft[] = [domainEvent('order_rejected', fields, o.clientOrderId)];
      // Specification 002's name for the same failure, beside specification 000's.
      if (via === 'place') {
        events.push(
          domainEvent('order_placement_error', { symbol, client_id: o.clientOrderId, side: o.side, error: effect.reason, code: effect.code }, o.clientOrderId),
        );
      }
      return events;
    }
    case 'ambiguous':
      return [
        domainEvent(
          'order_ambiguous',
          { symbol, client_id: effect.order.clientOrderId, side: effect.order.side, reason: effect.reason },
          effect.order.clientOrderId,
        ),
      ];
    case 'settled':
      return [orderSettledEvent(symbol, effect.order.clientOrderId, effect.status, via)];
  }
}

/** position_update: the position and its PnL valued at `valuationTicks` (mark, else mid). */
export function positionEvent(instrument: Instrument, inventory: Inventory, valuationTicks: Ticks | null, reason: string): EventDraft {
  return domainEvent('position_update', {
    symbol: instrument.symbol,
    position: new Quantity(instrument, inventory.positionSteps),
    entry_price: inventory.entryPrice(),
    pnl: new Amount(inventory.realizedPnl),
    unrealized_pnl: new Amount(valuationTicks === null ? 0n : inventory.unrealizedPnl(valuationTicks)),
    reason,
  });
}

/** funding_update: the rates, the accumulated funding and (for a payment) its amount. */
export function fundingEvent(symbol: string, ledger: Ledger, fee: Money | null, via: 'mark_price' | 'user_stream' | 'income'): EventDraft {
  return domainEvent('funding_update', {
    symbol,
    rate: ledger.fundingRate ?? ledger.predictedFundingRate ?? '0',
    predicted_rate: ledger.predictedFundingRate ?? '0',
    accum_pnl: new Amount(ledger.inventory.fundingAccum),
    funding_fee: fee === null ? null : new Amount(fee),
    next_funding_time: ledger.nextFundingTimeMs,
    via,
  });
}

/** reduce_only_force or grinding for a risk-reducing order about to be sent; null for a quote. */
export function purposeEvent(instrument: Instrument, order: PlaceOrder, purpose: OrderTarget['purpose'], entryPrice: FractionalPrice): EventDraft | null {
  const symbol = instrument.symbol;
  const side = order.side;
  const qty = new Quantity(instrument, order.qtySteps);
  const price = new Price(instrument, order.priceTicks ?? ZERO_TICKS);
  const id = order.clientOrderId;
  if (purpose === 'reduce_only_force') return domainEvent('reduce_only_force', { symbol, side, qty, price, client_id: id, error: null }, id);
  if (purpose === 'grind') return domainEvent('grinding', { symbol, side, qty, price, entry_price: entryPrice, client_id: id }, id);
  return null;
}

/** The fields of quote_decided (without its decision id): the top of the plan and why it is what it is. */
export function quoteDecidedFields(
  instrument: Instrument,
  book: BookTop | null,
  bid: OrderTarget | undefined,
  ask: OrderTarget | undefined,
  skewBps: number,
  riskState: RiskState,
  suppressed: SuppressionReason | null,
) {
  return {
    symbol: instrument.symbol,
    mid: book === null ? null : new FractionalPrice(instrument, BigInt(book.bidTicks + book.askTicks), 2n, 1),
    bid: bid === undefined ? null : new Price(instrument, bid.priceTicks),
    ask: ask === undefined ? null : new Price(instrument, ask.priceTicks),
    bid_qty: bid === undefined ? null : new Quantity(instrument, bid.qtySteps),
    ask_qty: ask === undefined ? null : new Quantity(instrument, ask.qtySteps),
    skew_bps: Math.round(skewBps * 100) / 100,
    risk_state: riskState,
    suppressed,
  };
}

/** freeze_triggered or freeze_cleared as the rolling fill edge crosses its minimum. */
export function edgeFreezeEvents(symbol: string, change: FreezeChange, thresholdBps: number, freezesTotal: number): EventDraft[] {
  if (change.kind === 'cleared') return [domainEvent('freeze_cleared', { symbol, reason: 'cooldown_elapsed' })];
  return [
    domainEvent('freeze_triggered', { symbol, reason: EDGE_FREEZE_REASON, edge_bps: change.edgeBps, threshold: thresholdBps }),
    domainEvent('risk_freeze', { symbol, reason: EDGE_FREEZE_REASON, risk_ratio: null, freezes_total: freezesTotal }),
  ];
}

/**
 * risk_state_changed for one step of the risk machine. Entering hard reduce also freezes quoting
 * (risk_freeze, freeze_triggered risk_limit): only reduce-only orders go out until the position
 * is back under the soft limit (freeze_cleared).
 */
export function riskTransitionEvents(symbol: string, t: RiskTransition, valued: Notionals, riskRatio: number, freezesTotal: number): EventDraft[] {
  const events: EventDraft[] = [
    domainEvent('risk_state_changed', {
      symbol,
      from: t.from,
      to: t.to,
      reason: t.reason,
      position_notional: new Amount(valued.position),
      worst_long: new Amount(valued.worstLong),
      worst_short: new Amount(valued.worstShort),
    }),
  ];
  if (t.to === 2) {
    events.push(domainEvent('risk_freeze', { symbol, reason: t.reason, risk_ratio: riskRatio, freezes_total: freezesTotal }));
    events.push(domainEvent('freeze_triggered', { symbol, reason: RISK_LIMIT_FREEZE, edge_bps: null, threshold: null }));
  }
  if (t.from === 2) events.push(domainEvent('freeze_cleared', { symbol, reason: 'risk_back_under_soft_limit' }));
  return events;
}
