/**
 * The checks an order passes before it reaches the book, in Binance's order: client id,
 * quantity and price, reduce-only room or minimum notional, margin, and post-only. Each failure
 * throws the BinanceApiError Binance answers.
 */
import { divRound } from '../core/decimal.ts';
import { absSteps, subSteps, ZERO_STEPS, ZERO_TICKS, type Steps, type Ticks } from '../core/instrument.ts';
import type { Money } from '../core/money.ts';
import { sideSign, type Side, type TimeInForce } from '../core/model.ts';
import type { NewOrderRequest, SimOrder } from './engine-types.ts';
import { apiErrors } from './errors.ts';
import { markNotional } from './position-accounting.ts';
import type { SymbolMarket } from './symbol-market.ts';

const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** What the checks need to know about the rest of the account. */
export interface AccountView {
  readonly markets: Iterable<SymbolMarket>;
  readonly walletBalance: Money;
  hasOpenClientId(clientOrderId: string): boolean;
}

/** The terms a valid new order trades with. */
export interface CheckedOrder {
  readonly timeInForce: TimeInForce;
  /** 0 for MARKET orders. */
  readonly priceTicks: Ticks;
}

/** Checks a new order on its market; returns its terms, or throws Binance's refusal. */
export function checkNewOrder(s: SymbolMarket, request: NewOrderRequest, account: AccountView): CheckedOrder {
  if (request.clientOrderId !== undefined) {
    if (!CLIENT_ORDER_ID.test(request.clientOrderId)) throw apiErrors.illegalChars('newClientOrderId', '^[\\.A-Z\\:/a-z0-9_-]{1,36}$');
    if (account.hasOpenClientId(request.clientOrderId)) throw apiErrors.clientOrderIdDuplicated();
  }
  if (!Number.isInteger(request.qtySteps) || request.qtySteps <= 0) throw apiErrors.qtyNotPositive();
  const isLimit = request.type === 'LIMIT';
  if (isLimit && (request.priceTicks === undefined || request.priceTicks <= 0)) throw apiErrors.mandatory('price');
  if (isLimit && request.timeInForce === undefined) throw apiErrors.mandatory('timeInForce');
  const timeInForce: TimeInForce = isLimit ? (request.timeInForce ?? 'GTC') : 'GTC';
  const priceTicks = isLimit ? (request.priceTicks ?? ZERO_TICKS) : ZERO_TICKS;
  const referenceTicks = isLimit ? priceTicks : s.referencePrice(request.side);
  checkExposure(s, account, { side: request.side, reduceOnly: request.reduceOnly, priceTicks: referenceTicks, qtySteps: request.qtySteps }, null);
  if (isLimit && timeInForce === 'GTX' && s.wouldTake(request.side, priceTicks)) throw apiErrors.postOnlyRejected();
  return { timeInForce, priceTicks };
}

/** An order's terms as the exposure checks see them: its whole quantity at its price. */
export interface OrderTerms {
  readonly side: Side;
  readonly reduceOnly: boolean;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
}

/**
 * Reduce-only orders must not exceed the position they reduce (with the other reduce-only
 * orders on that side); other orders need the minimum notional and the margin for what is
 * still to fill. `amending` is the resting order an amendment changes (null for a new order):
 * it is counted at its new terms only, and a notional below the minimum is then -5029.
 */
export function checkExposure(s: SymbolMarket, account: AccountView, terms: OrderTerms, amending: SimOrder | null): void {
  const toFill = subSteps(terms.qtySteps, amending?.executedSteps ?? ZERO_STEPS);
  if (terms.reduceOnly) {
    const pos = s.position.amount;
    if (pos * sideSign(terms.side) >= 0) throw apiErrors.reduceOnlyRejected();
    if (s.pendingReduceOnly(terms.side, amending) + toFill > Math.abs(pos)) throw apiErrors.reduceOnlyRejected();
    return;
  }
  const inst = s.sym.instrument;
  if (inst.notional(terms.priceTicks, terms.qtySteps) < inst.minNotional) {
    throw amending === null ? apiErrors.minNotional(s.sym.spec.minNotional) : apiErrors.modificationMinNotional(s.sym.spec.minNotional);
  }
  checkMargin(s, account, terms.priceTicks, toFill, amending);
}

/** Checks that the account's margin covers every position and order at its leverage, with `addedSteps` more at `priceTicks` on `s`. */
function checkMargin(s: SymbolMarket, account: AccountView, priceTicks: Ticks, addedSteps: Steps, amending: SimOrder | null): void {
  let required = 0n;
  let unrealized = 0n;
  for (const t of account.markets) {
    let exposure = markNotional(t.sym, t.markHalfTicks, absSteps(t.position.amount));
    for (const o of t.openOrders()) if (o !== amending) exposure += t.sym.instrument.notional(o.priceTicks, subSteps(o.qtySteps, o.executedSteps));
    if (t === s) exposure += s.sym.instrument.notional(priceTicks, addedSteps);
    required += divRound(exposure, BigInt(t.leverage), 'ceil');
    unrealized += t.positionView().unrealizedPnl;
  }
  if (required > account.walletBalance + unrealized) throw apiErrors.marginInsufficient();
}
