/** User data stream events: ORDER_TRADE_UPDATE, ACCOUNT_UPDATE, MARGIN_CALL, listenKeyExpired. */
import type { Instrument } from '../../core/instrument.ts';
import type { AccountUpdate, BalanceUpdate, MarginCall, OrderUpdate, PositionUpdate } from '../../core/model.ts';
import { toAccountUpdateReason, toExecutionType, toOrderStatus, toOrderType, toPositionSide, toSide, toTimeInForce } from './enums.ts';
import { asArray, asObject, bool, decimal, id, int, money, steps, str, ticks, toMoney } from './fields.ts';
import { requireInstrument, type InstrumentLookup } from './instruments.ts';

export type UserEvent =
  | { readonly kind: 'order'; readonly update: OrderUpdate }
  | { readonly kind: 'account'; readonly update: AccountUpdate }
  | { readonly kind: 'marginCall'; readonly call: MarginCall }
  | { readonly kind: 'listenKeyExpired'; readonly eventTimeMs: number }
  /** A well-formed event this adapter does not act on (other event types, other symbols). */
  | { readonly kind: 'ignored'; readonly eventType: string };

/** Returns the typed user event of a parsed frame. */
export function parseUserEvent(data: unknown, lookup: InstrumentLookup): UserEvent {
  const o = asObject(data, '$');
  const eventType = str(o, 'e');
  switch (eventType) {
    case 'ORDER_TRADE_UPDATE': {
      const symbol = str(asObject(o['o'], 'o'), 's', 'o.s');
      if (lookup(symbol) === undefined) return { kind: 'ignored', eventType };
      return { kind: 'order', update: parseOrderTradeUpdate(o, lookup) };
    }
    case 'ACCOUNT_UPDATE':
      return { kind: 'account', update: parseAccountUpdate(o, lookup) };
    case 'MARGIN_CALL':
      return { kind: 'marginCall', call: parseMarginCall(o, lookup) };
    case 'listenKeyExpired':
      return { kind: 'listenKeyExpired', eventTimeMs: int(o, 'E') };
    default:
      return { kind: 'ignored', eventType: eventType.slice(0, 40) };
  }
}

/** Returns an ORDER_TRADE_UPDATE event as an OrderUpdate. */
export function parseOrderTradeUpdate(event: unknown, lookup: InstrumentLookup): OrderUpdate {
  const e = asObject(event, '$');
  const o = asObject(e['o'], 'o');
  const symbol = str(o, 's', 'o.s');
  const instrument = requireInstrument(lookup, symbol, 'o.s');
  return {
    symbol,
    clientOrderId: str(o, 'c', 'o.c'),
    orderId: id(o, 'i', 'o.i'),
    side: toSide(str(o, 'S', 'o.S'), 'o.S'),
    type: toOrderType(str(o, 'o', 'o.o'), 'o.o'),
    timeInForce: toTimeInForce(str(o, 'f', 'o.f'), 'o.f'),
    qtySteps: steps(instrument, o, 'q', 'o.q'),
    priceTicks: ticks(instrument, o, 'p', 'o.p'),
    execution: toExecutionType(str(o, 'x', 'o.x'), 'o.x'),
    status: toOrderStatus(str(o, 'X', 'o.X'), 'o.X'),
    lastFilledSteps: steps(instrument, o, 'l', 'o.l'),
    lastFilledPriceTicks: ticks(instrument, o, 'L', 'o.L'),
    cumulativeFilledSteps: steps(instrument, o, 'z', 'o.z'),
    commission: o['n'] === undefined ? 0n : money(o, 'n', 'o.n'),
    commissionAsset: typeof o['N'] === 'string' ? o['N'] : '',
    realizedPnl: money(o, 'rp', 'o.rp'),
    tradeId: int(o, 't', 'o.t'),
    isMaker: bool(o, 'm', 'o.m'),
    reduceOnly: bool(o, 'R', 'o.R'),
    eventTimeMs: int(e, 'E'),
    txTimeMs: int(e, 'T'),
  };
}

/** Builds one entry per position of a symbol we trade; entries of symbols never loaded are left out. */
function knownSymbolEntries<T>(
  list: readonly unknown[],
  listPath: string,
  lookup: InstrumentLookup,
  build: (p: Record<string, unknown>, symbol: string, instrument: Instrument, path: string) => T,
): T[] {
  const out: T[] = [];
  for (let i = 0; i < list.length; i++) {
    const path = `${listPath}[${i}]`;
    const p = asObject(list[i], path);
    const symbol = str(p, 's', `${path}.s`);
    const instrument = lookup(symbol);
    if (instrument !== undefined) out.push(build(p, symbol, instrument, path));
  }
  return out;
}

/** Returns an ACCOUNT_UPDATE event; positions of symbols that were never loaded are left out. */
export function parseAccountUpdate(event: unknown, lookup: InstrumentLookup): AccountUpdate {
  const e = asObject(event, '$');
  const a = asObject(e['a'], 'a');
  const balancesRaw = asArray(a['B'], 'a.B');
  const balances: BalanceUpdate[] = [];
  for (let i = 0; i < balancesRaw.length; i++) {
    const path = `a.B[${i}]`;
    const b = asObject(balancesRaw[i], path);
    balances.push({
      asset: str(b, 'a', `${path}.a`),
      walletBalance: money(b, 'wb', `${path}.wb`),
      crossWalletBalance: money(b, 'cw', `${path}.cw`),
      balanceChange: b['bc'] === undefined ? 0n : money(b, 'bc', `${path}.bc`),
    });
  }
  const positions: PositionUpdate[] = knownSymbolEntries(a['P'] === undefined ? [] : asArray(a['P'], 'a.P'), 'a.P', lookup, (p, symbol, instrument, path) => ({
    symbol,
    amountSteps: steps(instrument, p, 'pa', `${path}.pa`),
    entryPrice: decimal(p, 'ep', `${path}.ep`),
    unrealizedPnl: money(p, 'up', `${path}.up`),
    positionSide: toPositionSide(str(p, 'ps', `${path}.ps`), `${path}.ps`),
  }));
  return {
    reason: toAccountUpdateReason(str(a, 'm', 'a.m'), 'a.m'),
    balances,
    positions,
    eventTimeMs: int(e, 'E'),
    txTimeMs: int(e, 'T'),
  };
}

/** Returns a MARGIN_CALL event; positions of symbols that were never loaded are left out. */
export function parseMarginCall(event: unknown, lookup: InstrumentLookup): MarginCall {
  const e = asObject(event, '$');
  const positions: Array<MarginCall['positions'][number]> = knownSymbolEntries(asArray(e['p'], 'p'), 'p', lookup, (p, symbol, instrument, path) => ({
    symbol,
    amountSteps: steps(instrument, p, 'pa', `${path}.pa`),
    maintenanceMargin: money(p, 'mm', `${path}.mm`),
  }));
  return {
    crossWalletBalance: e['cw'] === undefined ? 0n : toMoney(str(e, 'cw'), 'cw'),
    positions,
    eventTimeMs: int(e, 'E'),
  };
}
