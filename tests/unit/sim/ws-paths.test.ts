import { describe, expect, it } from 'vitest';
import { normalizeStream } from '../../../src/sim/streams.ts';
import { parseWsPath, UpgradeRejection } from '../../../src/sim/ws-paths.ts';

const options = { knownSymbols: new Set(['BTCUSDT', 'ETHUSDT']), isLiveListenKey: (key: string) => key === 'live1' || key === 'live2' };

function statusOf(url: string): number | null {
  try {
    parseWsPath(url, options);
    return null;
  } catch (error) {
    if (error instanceof UpgradeRejection) return error.status;
    throw error;
  }
}

describe('WebSocket paths', () => {
  it('routes market streams by category and lets a path carry a connection number instead of a stream (ccxt)', () => {
    expect(parseWsPath('/public/ws/BTCUSDT@depth10@100ms/ethusdt@bookTicker', options)).toMatchObject({
      route: 'public',
      combined: false,
      streams: ['btcusdt@depth10@100ms', 'ethusdt@bookTicker'],
    });
    expect(parseWsPath('/market/ws/3', options)).toMatchObject({ route: 'market', streams: [] });
    expect(parseWsPath('/market/stream?streams=', options)).toMatchObject({ route: 'market', combined: true, streams: [] });
    expect(statusOf('/public/ws/btcusdt@markPrice')).toBe(400);
    expect(statusOf('/market/stream?streams=btcusdt@depth')).toBe(400);
    expect(statusOf('/ws/btcusdt@depth')).toBe(404);
  });

  it('takes listenKeys with their events filters from the path or the query, and refuses dead keys and unknown events', () => {
    expect(parseWsPath('/private/ws/live1', options).userKeys).toEqual([{ key: 'live1', events: null }]);
    expect(parseWsPath('/private/ws?listenKey=live1&events=ORDER_TRADE_UPDATE/ACCOUNT_UPDATE', options).userKeys).toEqual([
      { key: 'live1', events: new Set(['ORDER_TRADE_UPDATE', 'ACCOUNT_UPDATE']) },
    ]);
    const pairs = parseWsPath('/private/stream?listenKey=live1&events=ORDER_TRADE_UPDATE&listenKey=live2&events=ACCOUNT_UPDATE', options);
    expect(pairs).toMatchObject({ combined: true, defaultEvents: null });
    expect(pairs.userKeys).toEqual([
      { key: 'live1', events: new Set(['ORDER_TRADE_UPDATE']) },
      { key: 'live2', events: new Set(['ACCOUNT_UPDATE']) },
    ]);
    expect(parseWsPath('/private/stream?events=TRADE_LITE', options)).toMatchObject({ userKeys: [], defaultEvents: new Set(['TRADE_LITE']) });
    expect(parseWsPath('/private/stream?streams=live2', options).userKeys).toEqual([{ key: 'live2', events: null }]);
    expect(statusOf('/private/ws/dead')).toBe(400);
    expect(statusOf('/private/ws?listenKey=live1&events=ORDER_UPDATE')).toBe(400);
  });
});

describe('stream names', () => {
  it('knows the streams of each route, matching symbols in any case and intervals exactly', () => {
    const known = options.knownSymbols;
    expect(normalizeStream('BTCUSDT@kline_1M', known)).toEqual({ name: 'btcusdt@kline_1M', category: 'market' });
    expect(normalizeStream('btcusdt@kline_2m', known)).toBeNull();
    expect(normalizeStream('btcusdt@depth20@500ms', known)?.category).toBe('public');
    expect(normalizeStream('btcusdt@depth15', known)).toBeNull();
    expect(normalizeStream('!markPrice@arr@1s', known)?.category).toBe('market');
    expect(normalizeStream('!bookTicker', known)?.category).toBe('public');
    for (const s of ['btcusdt@aggTrade', 'btcusdt@ticker', 'btcusdt@miniTicker', '!ticker@arr', '!miniTicker@arr'])
      expect(normalizeStream(s, known)?.category).toBe('market');
    expect(normalizeStream('solusdt@ticker', known)).toBeNull();
  });
});
