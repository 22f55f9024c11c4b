import { describe, expect, it } from 'vitest';
import { WireFormatError } from '../../../src/exchange/errors.ts';
import { parseListenKey } from '../../../src/exchange/user-stream.ts';
import { parseExchangeInfo, toInstrument } from '../../../src/exchange/wire/exchange-info.ts';
import { parseBookTicker, parseCombinedFrame, parseMarkPriceUpdate, parsePremiumIndex } from '../../../src/exchange/wire/market.ts';
import { parseOrder } from '../../../src/exchange/wire/orders.ts';
import { parsePositionRisk } from '../../../src/exchange/wire/positions.ts';
import { parseAccountUpdate, parseMarginCall, parseOrderTradeUpdate, parseUserEvent } from '../../../src/exchange/wire/user-events.ts';
import { parseUserTrades } from '../../../src/exchange/wire/user-trades.ts';
import { BTC, fixture, instrument, lookupOf } from './fixtures.ts';

describe('exchangeInfo', () => {
  it('reads PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL and PERCENT_PRICE into an InstrumentSpec', () => {
    const { specs, statuses, malformed } = parseExchangeInfo(fixture('exchange-info'));
    expect(malformed).toEqual([]);
    expect(statuses.get('BTCUSDT')).toBe('TRADING');
    expect(specs.get('BLZUSDT')).toEqual({
      symbol: 'BLZUSDT',
      baseAsset: 'BLZ',
      quoteAsset: 'USDT',
      marginAsset: 'USDT',
      tickSize: '0.0001',
      minPrice: '0.0001',
      maxPrice: '300',
      stepSize: '1',
      minQty: '1',
      maxQty: '10000000',
      minNotional: '5.0',
      percentPrice: { multiplierUp: '1.1500', multiplierDown: '0.8500' },
    });
    const btc = toInstrument(specs.get('BTCUSDT') ?? expect.fail('no BTCUSDT'));
    expect(btc.priceToTicks('65000.1')).toBe(650001);
    expect(btc.qtyToSteps('0.005')).toBe(5);
    expect(btc.minNotional).toBe(100_00000000n);
  });

  it('lists a symbol without PRICE_FILTER as malformed, and still reads the others', () => {
    const good = (fixture('exchange-info') as { symbols: unknown[] }).symbols;
    const body = { symbols: [{ symbol: 'X', status: 'TRADING', baseAsset: 'X', quoteAsset: 'USDT', marginAsset: 'USDT', filters: [] }, 42, ...good] };
    const info = parseExchangeInfo(body);
    expect(info.malformed).toEqual([
      { symbol: 'X', error: 'symbols[0].filters: no PRICE_FILTER' },
      { symbol: null, error: 'symbols[1]: expected an object' },
    ]);
    expect([...info.specs.keys()].sort()).toEqual(['BLZUSDT', 'BTCUSDT']);
    expect(() => parseExchangeInfo({ symbols: 'none' })).toThrow(WireFormatError);
  });
});

describe('order responses', () => {
  it('parses a LIMIT GTX order into an OrderSnapshot', () => {
    expect(parseOrder(fixture('new-order-response-limit'), lookupOf(BTC))).toEqual({
      symbol: 'BTCUSDT',
      orderId: '22542179',
      clientOrderId: 'testOrder',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      status: 'NEW',
      priceTicks: 93000,
      qtySteps: 10000,
      executedSteps: 0,
      reduceOnly: false,
      updateTimeMs: 1566818724722,
    });
  });

  it('rejects the documented TRAILING_STOP_MARKET example with a WireFormatError naming the field', () => {
    const error = catchError(() => parseOrder(fixture('new-order-response'), lookupOf(BTC)));
    expect(error).toBeInstanceOf(WireFormatError);
    expect((error as WireFormatError).field).toBe('$.type');
  });
});

describe('positionRisk v3', () => {
  it('reads the one-way BOTH position', () => {
    const ada = instrument('ADAUSDT', '0.00010', '1');
    expect(parsePositionRisk(fixture('position-risk-v3'), 'ADAUSDT', lookupOf(ada), 0)).toEqual({
      symbol: 'ADAUSDT',
      amountSteps: 30,
      entryPrice: '0.385',
      markPrice: '0.41047590',
      unrealizedPnl: 76427700n,
      updateTimeMs: 1720736417660,
    });
  });

  it('returns a flat position when the symbol is not listed', () => {
    expect(parsePositionRisk([], 'BTCUSDT', lookupOf(BTC), 42)).toMatchObject({ amountSteps: 0, updateTimeMs: 42 });
  });
});

describe('market data', () => {
  it('parses bookTicker', () => {
    const bnb = instrument('BNBUSDT', '0.0001', '0.01');
    expect(parseBookTicker(fixture('book-ticker'), lookupOf(bnb))).toEqual({
      symbol: 'BNBUSDT',
      updateId: 400900217,
      bidTicks: 253519,
      bidSteps: 3121,
      askTicks: 253652,
      askSteps: 4066,
      txTimeMs: 1568014460891,
      eventTimeMs: 1568014460893,
    });
  });

  it('parses markPrice stream and premiumIndex into MarkPriceUpdate', () => {
    expect(parseMarkPriceUpdate(fixture('mark-price-update'))).toEqual({
      symbol: 'BTCUSDT',
      markPrice: '11794.15000000',
      indexPrice: '11784.62659091',
      fundingRate: '0.00038167',
      nextFundingTimeMs: 1562306400000,
      eventTimeMs: 1562305380000,
    });
    expect(parsePremiumIndex(fixture('premium-index'))).toEqual({
      symbol: 'BTCUSDT',
      markPrice: '11793.63104562',
      indexPrice: '11781.80495970',
      fundingRate: '0.00038246',
      nextFundingTimeMs: 1597392000000,
      eventTimeMs: 1597370495002,
    });
  });

  it('unwraps combined-stream frames', () => {
    const frame = parseCombinedFrame({ stream: 'btcusdt@markPrice@1s', data: fixture('mark-price-update') });
    expect(frame.stream).toBe('btcusdt@markPrice@1s');
    expect(() => parseCombinedFrame({ stream: 'x', data: 'nope' })).toThrow(WireFormatError);
  });

  it('rejects an off-grid price instead of rounding it', () => {
    const frame = { ...(fixture('book-ticker') as object), s: 'BTCUSDT', b: '25.35', a: '25.37', B: '1', A: '1' };
    expect(() => parseBookTicker(frame, lookupOf(BTC))).toThrow(WireFormatError);
  });
});

describe('user data events', () => {
  it('parses a maker partial fill from ORDER_TRADE_UPDATE', () => {
    expect(parseOrderTradeUpdate(fixture('order-trade-update-limit-fill'), lookupOf(BTC))).toEqual({
      symbol: 'BTCUSDT',
      clientOrderId: 'TEST',
      orderId: '8886774',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTX',
      qtySteps: 2,
      priceTicks: 71030,
      execution: 'TRADE',
      status: 'PARTIALLY_FILLED',
      lastFilledSteps: 1,
      lastFilledPriceTicks: 71030,
      cumulativeFilledSteps: 1,
      commission: 142060n,
      commissionAsset: 'USDT',
      realizedPnl: 51000000n,
      tradeId: 12345,
      isMaker: true,
      reduceOnly: false,
      eventTimeMs: 1568879465651,
      txTimeMs: 1568879465650,
    });
  });

  it('reports the documented trailing-stop ORDER_TRADE_UPDATE as an unsupported order type', () => {
    const result = catchError(() => parseUserEvent(fixture('order-trade-update'), lookupOf(BTC)));
    expect(result).toBeInstanceOf(WireFormatError);
    expect((result as WireFormatError).field).toBe('o.o');
  });

  it('ignores ORDER_TRADE_UPDATE of symbols that were never loaded', () => {
    expect(parseUserEvent(fixture('order-trade-update-limit-fill'), lookupOf())).toEqual({ kind: 'ignored', eventType: 'ORDER_TRADE_UPDATE' });
  });

  it('parses ACCOUNT_UPDATE balances and positions', () => {
    const update = parseAccountUpdate(fixture('account-update'), lookupOf(BTC));
    expect(update.reason).toBe('ORDER');
    expect(update.balances).toEqual([
      { asset: 'USDT', walletBalance: 12262412345678n, crossWalletBalance: 10012345678n, balanceChange: 5012345678n },
      { asset: 'BUSD', walletBalance: 100000000n, crossWalletBalance: 0n, balanceChange: -4912345678n },
    ]);
    expect(update.positions).toEqual([
      { symbol: 'BTCUSDT', amountSteps: 0, entryPrice: '0.00000', unrealizedPnl: 0n, positionSide: 'BOTH' },
      { symbol: 'BTCUSDT', amountSteps: 20000, entryPrice: '6563.66500', unrealizedPnl: 285021200000n, positionSide: 'LONG' },
      { symbol: 'BTCUSDT', amountSteps: -10000, entryPrice: '6563.86000', unrealizedPnl: -142315600000n, positionSide: 'SHORT' },
    ]);
    expect(update.eventTimeMs).toBe(1564745798939);
    expect(update.txTimeMs).toBe(1564745798938);
  });

  it('parses a FUNDING_FEE ACCOUNT_UPDATE with the fee in bc', () => {
    const update = parseAccountUpdate(fixture('account-update-funding-fee'), lookupOf(BTC));
    expect(update.reason).toBe('FUNDING_FEE');
    expect(update.balances[0]?.balanceChange).toBe(-383000n);
    expect(update.positions).toEqual([]);
  });

  it('parses MARGIN_CALL', () => {
    const eth = instrument('ETHUSDT', '0.01', '0.001');
    expect(parseMarginCall(fixture('margin-call'), lookupOf(eth))).toEqual({
      crossWalletBalance: 316812045n,
      positions: [{ symbol: 'ETHUSDT', amountSteps: 1327, maintenanceMargin: 161444500n }],
      eventTimeMs: 1587727187525,
    });
  });

  it('recognises listenKeyExpired (E as a string, as documented)', () => {
    expect(parseUserEvent(fixture('listen-key-expired'), lookupOf())).toEqual({ kind: 'listenKeyExpired', eventTimeMs: 1736996475556 });
  });

  it('reads the listenKey of POST /fapi/v1/listenKey', () => {
    expect(parseListenKey(fixture('listen-key'))).toBe('pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1');
  });

  it('rejects an unknown order status with a WireFormatError naming o.X', () => {
    const event = fixture('order-trade-update-limit-fill') as { o: Record<string, unknown> };
    event.o['X'] = 'NEW_INSURANCE';
    const error = catchError(() => parseOrderTradeUpdate(event, lookupOf(BTC)));
    expect((error as WireFormatError).field).toBe('o.X');
  });
});

describe('account trade list (GET /fapi/v1/userTrades)', () => {
  it('parses the documented sample into UserTrade (ticks, steps, money)', () => {
    const fine = instrument('BTCUSDT', '0.01', '0.001');
    expect(parseUserTrades(fixture('user-trades'), lookupOf(fine))).toEqual([
      {
        symbol: 'BTCUSDT',
        tradeId: 698759,
        orderId: '25851813',
        side: 'SELL',
        priceTicks: 781901,
        qtySteps: 2,
        commission: -7819010n,
        commissionAsset: 'USDT',
        realizedPnl: -91539999n,
        isMaker: false,
        timeMs: 1569514978020,
      },
    ]);
  });

  it('refuses an off-grid price, an unknown side or position side, a buyer flag contradicting the side, a zero quantity, a non-array', () => {
    const base = (fixture('user-trades-one-way') as Array<Record<string, unknown>>)[0] ?? {};
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, price: '7819.01' }, '$[0].price'],
      [{ ...base, side: 'SHORT' }, '$[0].side'],
      [{ ...base, positionSide: 'NET' }, '$[0].positionSide'],
      [{ ...base, buyer: true }, '$[0].buyer'],
      [{ ...base, qty: '0' }, '$[0].qty'],
      [{ ...base, commission: 0.1 }, '$[0].commission'],
      [{ ...base, id: 'x' }, '$[0].id'],
      [{ ...base, maker: 'false' }, '$[0].maker'],
      [{ ...base, quoteQty: 'abc' }, '$[0].quoteQty'],
    ];
    for (const [trade, field] of cases) {
      const error = catchError(() => parseUserTrades([trade], lookupOf(BTC)));
      expect(error, field).toBeInstanceOf(WireFormatError);
      expect((error as WireFormatError).field).toBe(field);
    }
    expect(catchError(() => parseUserTrades({}, lookupOf(BTC)))).toBeInstanceOf(WireFormatError);
    expect(parseUserTrades(fixture('user-trades-one-way'), lookupOf(BTC))[0]).toMatchObject({ priceTicks: 78191, commission: -7819100n });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.fail('expected a throw');
}
