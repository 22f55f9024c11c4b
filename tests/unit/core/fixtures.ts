/** Shared test fixtures for the core: a BTCUSDT-like instrument, params and update builders. */
import { FractionalPrice, Price, Quantity } from '../../../src/core/event-values.ts';
import type { DomainEvent, EventDraft } from '../../../src/core/events.ts';
import { asSteps, asTicks, Instrument, ZERO_STEPS, ZERO_TICKS } from '../../../src/core/instrument.ts';
import { MarketMaker, type OrderCommand } from '../../../src/core/market-maker.ts';
import type { BookTop, OrderSnapshot, OrderStatus, OrderUpdate, PlaceOrder, PositionSnapshot, Side } from '../../../src/core/model.ts';
import type { Money } from '../../../src/core/money.ts';
import type { StrategyParams } from '../../../src/core/params.ts';

export const btc = new Instrument({
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  marginAsset: 'USDT',
  tickSize: '0.10',
  stepSize: '0.001',
  minNotional: '100',
  minQty: '0.001',
  maxQty: '1000',
  minPrice: '0.10',
  maxPrice: '1000000',
});

/** A price on btc's grid as events carry it ("65000.1"). */
export function px(text: string): Price {
  return new Price(btc, btc.priceToTicks(text));
}

/** A quantity on btc's grid as events carry it ("0.005"). */
export function qty(text: string): Quantity {
  return new Quantity(btc, btc.qtyToSteps(text));
}

/** The mid between two prices on btc's grid, as quote_decided carries it. */
export function midOf(bid: string, ask: string): FractionalPrice {
  return new FractionalPrice(btc, BigInt(btc.priceToTicks(bid) + btc.priceToTicks(ask)), 2n, 1);
}

/** The draft as a bus would deliver it, published at `atMs`. */
export function published<E extends DomainEvent['event']>(draft: EventDraft<E>, atMs = 0): DomainEvent<E> {
  return { ...draft, atMs } as DomainEvent<E>;
}

/** The event's fields with every typed number as the decimal string the sinks write. */
export function written(fields: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
}

export const baseParams: StrategyParams = {
  halfSpreadBps: 5,
  orderQty: '0.010',
  levels: 2,
  levelSpacingBps: 5,
  inventorySkewBps: 10,
  fundingSkewFactor: 0,
  requoteToleranceTicks: 2,
  softPositionNotional: '5000',
  hardPositionNotional: '10000',
  maxWorstCaseNotional: '8000',
  softReduceSizeFactor: 0.5,
  reduceOnlyClipQty: '0.020',
  minEdgeBps: -5,
  edgeWindowFills: 10,
  freezeCooldownMs: 30_000,
  makerFeeRate: '0.0002',
  takerFeeRate: '0.0005',
  staleBookMs: 5_000,
  grindEnabled: false,
  grindClipQty: '0.002',
  grindMinProfitBps: 5,
};

export const T0 = 1_800_000_000_000;

export function bookTop(bidTicks: number, askTicks: number, eventTimeMs: number, updateId = eventTimeMs): BookTop {
  return {
    symbol: 'BTCUSDT',
    updateId,
    bidTicks: asTicks(bidTicks),
    bidSteps: asSteps(1000),
    askTicks: asTicks(askTicks),
    askSteps: asSteps(1000),
    txTimeMs: eventTimeMs,
    eventTimeMs,
  };
}

export function flatPosition(updateTimeMs = T0): PositionSnapshot {
  return { symbol: 'BTCUSDT', amountSteps: ZERO_STEPS, entryPrice: '0.0', markPrice: '65000.0', unrealizedPnl: 0n, updateTimeMs };
}

/** Returns a maker with both streams up, reconciled flat, and a 65000.0/65000.1 book. */
export function readyMaker(params: Partial<StrategyParams> = {}, shadow = false): MarketMaker {
  const mm = new MarketMaker(btc, { ...baseParams, ...params }, { clientIdPrefix: 'mm', shadow, sessionId: 'sess1' });
  mm.onStreamState('market', true, T0);
  mm.onStreamState('user', true, T0);
  mm.reconcile([], flatPosition(T0 - 1_000), T0);
  mm.onBookTop(bookTop(650_000, 650_001, T0), T0);
  return mm;
}

export function places(commands: readonly OrderCommand[]): PlaceOrder[] {
  return commands.flatMap((c) => (c.kind === 'place' ? [c.order] : []));
}

export function cancels(commands: readonly OrderCommand[]): string[] {
  return commands.flatMap((c) => (c.kind === 'cancel' ? [c.cancel.clientOrderId] : []));
}

export function snapshotOf(order: PlaceOrder, status: OrderStatus = 'NEW', executedSteps = 0, orderId = `o-${order.clientOrderId}`): OrderSnapshot {
  return {
    symbol: order.symbol,
    orderId,
    clientOrderId: order.clientOrderId,
    side: order.side,
    type: order.type,
    timeInForce: order.timeInForce ?? 'GTC',
    status,
    priceTicks: order.priceTicks ?? ZERO_TICKS,
    qtySteps: order.qtySteps,
    executedSteps: asSteps(executedSteps),
    reduceOnly: order.reduceOnly,
    updateTimeMs: T0,
  };
}

/** Accepts every place command of a decision. */
export function acceptAll(mm: MarketMaker, commands: readonly OrderCommand[], nowMs: number): void {
  for (const order of places(commands)) mm.onPlaceOutcome(order, { kind: 'accepted', value: snapshotOf(order) }, nowMs);
}

/** A one-level maker whose first quotes the venue accepted, and its resting bid. */
export function quotedMaker(): { mm: MarketMaker; bid: PlaceOrder } {
  const mm = readyMaker({ levels: 1 });
  const d = mm.decide(T0);
  acceptAll(mm, d.commands, T0);
  const bid = places(d.commands).find((p) => p.side === 'BUY');
  if (!bid) throw new Error('no bid');
  return { mm, bid };
}

export interface FillSpec {
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtySteps: number;
  readonly cumSteps: number;
  readonly status: OrderStatus;
  readonly tradeId: number;
  readonly commission?: Money;
  readonly isMaker?: boolean;
  readonly txTimeMs?: number;
}

export function orderUpdate(
  clientOrderId: string,
  base: { side: Side; priceTicks: number; qtySteps: number; reduceOnly?: boolean },
  change: Partial<OrderUpdate>,
): OrderUpdate {
  return {
    symbol: 'BTCUSDT',
    clientOrderId,
    orderId: `o-${clientOrderId}`,
    side: base.side,
    type: 'LIMIT',
    timeInForce: 'GTX',
    qtySteps: asSteps(base.qtySteps),
    priceTicks: asTicks(base.priceTicks),
    execution: 'NEW',
    status: 'NEW',
    lastFilledSteps: ZERO_STEPS,
    lastFilledPriceTicks: ZERO_TICKS,
    cumulativeFilledSteps: ZERO_STEPS,
    commission: 0n,
    commissionAsset: 'USDT',
    realizedPnl: 0n,
    tradeId: 0,
    isMaker: true,
    reduceOnly: base.reduceOnly ?? false,
    eventTimeMs: T0,
    txTimeMs: T0,
    ...change,
  };
}

/** Returns a TRADE update filling `qtySteps` of the order at `priceTicks`. */
export function tradeUpdate(order: PlaceOrder, fill: FillSpec): OrderUpdate {
  return orderUpdate(
    order.clientOrderId,
    { side: order.side, priceTicks: order.priceTicks ?? 0, qtySteps: order.qtySteps, reduceOnly: order.reduceOnly },
    {
      execution: 'TRADE',
      status: fill.status,
      lastFilledSteps: asSteps(fill.qtySteps),
      lastFilledPriceTicks: asTicks(fill.priceTicks),
      cumulativeFilledSteps: asSteps(fill.cumSteps),
      commission: fill.commission ?? 0n,
      tradeId: fill.tradeId,
      isMaker: fill.isMaker ?? true,
      eventTimeMs: fill.txTimeMs ?? T0,
      txTimeMs: fill.txTimeMs ?? T0,
    },
  );
}
