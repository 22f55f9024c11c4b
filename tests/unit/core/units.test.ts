/**
 * Prices in ticks and quantities in steps are branded numbers: one cannot pass for the other, nor
 * can a bare number pass for either. The compile-time half is checked by the typecheck (an
 * unused @ts-expect-error fails it); the runtime half checks the helpers' arithmetic.
 */
import { describe, expect, it } from 'vitest';
import {
  absSteps,
  addSteps,
  asSteps,
  asTicks,
  maxSteps,
  maxTicks,
  midTicks,
  minSteps,
  minTicks,
  negSteps,
  offsetTicks,
  ONE_STEP,
  signedSteps,
  subSteps,
  ZERO_STEPS,
  ZERO_TICKS,
  type Steps,
  type Ticks,
} from '../../../src/core/instrument.ts';
import type { PlaceOrder } from '../../../src/core/model.ts';
import { btc } from './fixtures.ts';

describe('Ticks and Steps at compile time', () => {
  it('keeps prices and quantities apart', () => {
    const price = asTicks(650_000);
    const qty = asSteps(5);
    // Never called: these lines exist for the typecheck only.
    const mustNotCompile = (): unknown[] => [
      // @ts-expect-error a quantity is not a price
      btc.formatPrice(qty),
      // @ts-expect-error a price is not a quantity
      btc.formatQty(price),
      // @ts-expect-error a bare number is not a price
      btc.formatPrice(650_000),
      // @ts-expect-error a bare number is not a quantity
      btc.formatQty(5),
      // @ts-expect-error price and quantity swapped
      btc.notional(qty, price),
      // @ts-expect-error a price is not a quantity to add
      addSteps(qty, price),
      // @ts-expect-error a quantity is not a price to offset
      offsetTicks(qty, 1),
      // @ts-expect-error a quantity is not a price to take the mid of
      midTicks(price, qty),
    ];
    // @ts-expect-error arithmetic on a price gives a bare number, not a price
    const next: Ticks = price + 1;
    // @ts-expect-error one brand cannot be assigned to the other
    const steps: Steps = price;
    const order = (priceTicks: Ticks, qtySteps: Steps): PlaceOrder => ({
      symbol: 'BTCUSDT',
      clientOrderId: 'units',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      priceTicks,
      qtySteps,
      reduceOnly: false,
    });
    // @ts-expect-error arguments swapped
    const swapped = (): PlaceOrder => order(qty, price);
    // Either is still a number where a number is wanted.
    const asNumber: number = price + qty;
    expect(typeof mustNotCompile).toBe('function');
    expect(typeof swapped).toBe('function');
    expect([next, steps, asNumber]).toEqual([650_001, 650_000, 650_005]);
    expect(order(price, qty)).toMatchObject({ priceTicks: 650_000, qtySteps: 5 });
  });
});

describe('Ticks and Steps helpers', () => {
  it('brands without changing the number', () => {
    expect(asTicks(650_000)).toBe(650_000);
    expect(asSteps(-7)).toBe(-7);
    expect([ZERO_TICKS, ZERO_STEPS, ONE_STEP]).toEqual([0, 0, 1]);
  });

  it('moves, mids and orders prices', () => {
    const bid = asTicks(650_000);
    expect(offsetTicks(bid, 3)).toBe(650_003);
    expect(offsetTicks(bid, -3)).toBe(649_997);
    expect(midTicks(bid, asTicks(650_002))).toBe(650_001);
    expect(midTicks(bid, asTicks(650_001))).toBe(650_001); // half a tick rounds up
    expect(minTicks(bid, asTicks(649_999))).toBe(649_999);
    expect(maxTicks(bid, asTicks(649_999))).toBe(650_000);
  });

  it('adds, subtracts and signs quantities', () => {
    const a = asSteps(7);
    const b = asSteps(10);
    expect(addSteps(a, b)).toBe(17);
    expect(subSteps(a, b)).toBe(-3);
    expect(negSteps(a)).toBe(-7);
    expect(absSteps(asSteps(-4))).toBe(4);
    expect(signedSteps(-1, a)).toBe(-7);
    expect(signedSteps(0, a)).toBe(0);
    expect(minSteps(a, b)).toBe(7);
    expect(maxSteps(a, b)).toBe(10);
  });

  it('parses wire strings straight into branded ticks and steps', () => {
    const price: Ticks = btc.priceToTicks('65000.1');
    const qty: Steps = btc.qtyToSteps('0.005');
    expect([price, qty]).toEqual([650_001, 5]);
    expect(btc.formatPrice(price)).toBe('65000.1');
    expect(btc.formatQty(qty)).toBe('0.005');
  });
});
