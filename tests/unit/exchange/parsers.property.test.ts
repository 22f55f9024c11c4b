import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireFormatError } from '../../../src/exchange/errors.ts';
import { parseListenKey } from '../../../src/exchange/user-stream.ts';
import { parseExchangeInfo } from '../../../src/exchange/wire/exchange-info.ts';
import { parseJson } from '../../../src/exchange/wire/fields.ts';
import { parseBookTicker, parseCombinedFrame, parseMarkPriceUpdate, parsePremiumIndex } from '../../../src/exchange/wire/market.ts';
import { parseOrder, parseOrders } from '../../../src/exchange/wire/orders.ts';
import { parsePositionRisk } from '../../../src/exchange/wire/positions.ts';
import { parseUserEvent } from '../../../src/exchange/wire/user-events.ts';
import { parseUserTrades } from '../../../src/exchange/wire/user-trades.ts';
import { BTC, fixture, instrument, lookupOf } from './fixtures.ts';

const lookup = lookupOf(BTC, instrument('BNBUSDT', '0.0001', '0.01'), instrument('ETHUSDT', '0.01', '0.001'), instrument('ADAUSDT', '0.00010', '1'));

const parsers: Array<[string, (value: unknown) => unknown, string]> = [
  ['exchangeInfo', parseExchangeInfo, 'exchange-info'],
  ['order', (v) => parseOrder(v, lookup), 'new-order-response-limit'],
  ['orders', (v) => parseOrders(v, lookup), 'new-order-response-limit'],
  ['positionRisk', (v) => parsePositionRisk(v, 'ADAUSDT', lookup, 0), 'position-risk-v3'],
  ['bookTicker', (v) => parseBookTicker(v, lookup), 'book-ticker'],
  ['markPrice', parseMarkPriceUpdate, 'mark-price-update'],
  ['premiumIndex', parsePremiumIndex, 'premium-index'],
  ['combinedFrame', parseCombinedFrame, 'mark-price-update'],
  ['userEvent/order', (v) => parseUserEvent(v, lookup), 'order-trade-update-limit-fill'],
  ['userEvent/account', (v) => parseUserEvent(v, lookup), 'account-update'],
  ['userEvent/marginCall', (v) => parseUserEvent(v, lookup), 'margin-call'],
  ['userEvent/expired', (v) => parseUserEvent(v, lookup), 'listen-key-expired'],
  ['listenKey', parseListenKey, 'listen-key'],
  ['userTrades', (v) => parseUserTrades(v, lookup), 'user-trades-one-way'],
];

function valueOrWireError(parse: (value: unknown) => unknown, input: unknown): void {
  try {
    parse(input);
  } catch (error) {
    expect(error).toBeInstanceOf(WireFormatError);
  }
}

/** Returns a copy of `value` with the node at `path` (indices into keys/elements) replaced. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || typeof value !== 'object' || value === null) return replacement;
  const [head = 0, ...rest] = path;
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const i = head % value.length;
    return value.map((v, j) => (j === i ? mutate(v, rest, replacement) : v));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[head % keys.length] ?? '';
  return { ...(value as Record<string, unknown>), [key]: mutate((value as Record<string, unknown>)[key], rest, replacement) };
}

describe('parsers never throw anything but WireFormatError', () => {
  for (const [name, parse, fixtureName] of parsers) {
    it(`${name}: arbitrary JSON values`, () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => valueOrWireError(parse, value)),
        { numRuns: 200 },
      );
    });

    it(`${name}: documented payload with one field replaced by anything`, () => {
      const base = fixture(fixtureName);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 4 }), fc.oneof(fc.jsonValue(), fc.string(), fc.constant(undefined), fc.double()), (path, replacement) =>
          valueOrWireError(parse, mutate(base, path, replacement)),
        ),
        { numRuns: 300 },
      );
    });
  }

  it('parseJson: arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (text) => valueOrWireError((v) => parseJson(v as string), text)),
      { numRuns: 300 },
    );
  });

  it('numeric strings in price fields: exact ticks or a WireFormatError', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^-?\d{0,12}(\.\d{0,12})?$/), (price) => {
        const frame = { ...(fixture('book-ticker') as object), s: 'BTCUSDT', b: price };
        valueOrWireError((v) => parseBookTicker(v, lookup), frame);
      }),
      { numRuns: 300 },
    );
  });
});
