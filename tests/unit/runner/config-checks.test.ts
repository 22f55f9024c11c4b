/**
 * The start-up checks of the configuration against the venue's instruments (issue 12 item 17):
 * LOT_SIZE maxQty and the PERCENT_PRICE band, read from Binance's documented exchangeInfo
 * sample; a symbol without a usable PERCENT_PRICE filter is not checked against one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.ts';
import type { StrategyParams } from '../../../src/core/params.ts';
import { parseExchangeInfo, toInstrument } from '../../../src/exchange/wire/exchange-info.ts';
import { checkConfigAgainstInstruments, instrumentConfigIssues } from '../../../src/runner/config-checks.ts';

const body = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/binance/exchange-info.json'), 'utf8')) as {
  symbols: Array<Record<string, unknown>>;
};

function params(env: Record<string, string> = {}): StrategyParams {
  const loaded = loadConfig({ env, argv: [] });
  if (loaded.kind !== 'config') throw new Error('unexpected help');
  return loaded.config.strategy;
}

/** Returns the PERCENT_PRICE band parsed for each symbol of an exchangeInfo body. */
function bands(info: unknown) {
  return new Map([...parseExchangeInfo(info).specs].map(([symbol, spec]) => [symbol, spec.percentPrice]));
}

/** BTCUSDT of the sample: PERCENT_PRICE 0.95-1.05 (500 bps), LOT_SIZE maxQty 1000, step 0.001. */
function btc(withBand = true) {
  const spec = parseExchangeInfo(body).specs.get('BTCUSDT');
  if (spec === undefined) throw new Error('BTCUSDT missing from the fixture');
  if (withBand) return toInstrument(spec);
  const { percentPrice: _dropped, ...withoutBand } = spec;
  return toInstrument(withoutBand);
}

describe('PERCENT_PRICE bands', () => {
  it('are read from exchangeInfo, per symbol', () => {
    expect(bands(body).get('BTCUSDT')).toEqual({ multiplierUp: '1.0500', multiplierDown: '0.9500' });
    expect(bands(body).get('BLZUSDT')).toEqual({ multiplierUp: '1.1500', multiplierDown: '0.8500' });
    expect(btc().spec.percentPrice).toEqual({ multiplierUp: '1.0500', multiplierDown: '0.9500' });
  });

  it('are absent, never an error, when the filter is missing, malformed or excludes the mark price', () => {
    const info = structuredClone(body);
    const filtersOf = (i: number) => (info.symbols[i] as { filters: Array<Record<string, unknown>> }).filters;
    const btcFilters = filtersOf(1);
    btcFilters.splice(
      btcFilters.findIndex((f) => f.filterType === 'PERCENT_PRICE'),
      1,
    );
    const blz = filtersOf(0);
    blz[blz.findIndex((f) => f.filterType === 'PERCENT_PRICE')] = { filterType: 'PERCENT_PRICE', multiplierUp: 'x', multiplierDown: 0.9 };
    const parsed = bands(info);
    expect(parsed.size).toBe(2);
    expect([...parsed.values()]).toEqual([undefined, undefined]);
    blz[blz.findIndex((f) => f.filterType === 'PERCENT_PRICE')] = { filterType: 'PERCENT_PRICE', multiplierUp: '0.9', multiplierDown: '0.8' };
    expect(bands(info).get('BLZUSDT')).toBeUndefined();
  });
});

describe('configuration against the instruments', () => {
  it('accepts the defaults and a ladder within 90% of the band', () => {
    expect(instrumentConfigIssues([btc()], params())).toEqual([]);
    expect(instrumentConfigIssues([btc()], params({ MM_HALF_SPREAD_BPS: '150', MM_LEVELS: '4', MM_LEVEL_SPACING_BPS: '100' }))).toEqual([]);
  });

  it('refuses a ladder reaching beyond 90% of the PERCENT_PRICE band, naming the band', () => {
    const issues = instrumentConfigIssues([btc()], params({ MM_HALF_SPREAD_BPS: '151', MM_LEVELS: '4', MM_LEVEL_SPACING_BPS: '100' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.field).toBe('MM_HALF_SPREAD_BPS (--half-spread-bps)');
    expect(issues[0]?.message).toContain('451 bps from mid');
    expect(issues[0]?.message).toContain('from 0.9500 to 1.0500 times the mark price (500 bps below, 500 bps above)');
    expect(issues[0]?.message).toContain('within 450 bps');
  });

  it('does not check the ladder of a symbol without a PERCENT_PRICE band', () => {
    expect(instrumentConfigIssues([btc(false)], params({ MM_HALF_SPREAD_BPS: '900' }))).toEqual([]);
  });

  it("refuses sizes above the symbol's LOT_SIZE maxQty, the grinding clip only while grinding", () => {
    const tooBig = { MM_ORDER_QTY: '1000.001', MM_REDUCE_ONLY_CLIP_QTY: '5000', MM_GRIND_CLIP_QTY: '1001' };
    expect(instrumentConfigIssues([btc()], params(tooBig)).map((issue) => issue.field)).toEqual([
      'MM_ORDER_QTY (--order-qty)',
      'MM_REDUCE_ONLY_CLIP_QTY (--reduce-only-clip-qty)',
      'MM_GRIND_CLIP_QTY (--grind-clip-qty)',
    ]);
    expect(instrumentConfigIssues([btc()], params({ ...tooBig, MM_GRIND_ENABLED: 'false' }))).toHaveLength(2);
    expect(instrumentConfigIssues([btc()], params({ MM_ORDER_QTY: '1000' }))).toEqual([]);
    // More lot steps than a number holds exactly (1e9 at a 1e-8 step): still a configuration issue, never a crash.
    const fine = toInstrument({ ...btc().spec, stepSize: '0.00000001', minQty: '0.00000001' });
    expect(instrumentConfigIssues([fine], params({ MM_ORDER_QTY: '1000000000' })).map((issue) => issue.field)).toEqual(['MM_ORDER_QTY (--order-qty)']);
  });

  it('names every problem at once', () => {
    let thrown: unknown;
    try {
      checkConfigAgainstInstruments([btc()], params({ MM_ORDER_QTY: '2000', MM_GRIND_CLIP_QTY: '0.0005', MM_HALF_SPREAD_BPS: '600' }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues.map((issue) => issue.field).sort()).toEqual(
      ['MM_GRIND_CLIP_QTY (--grind-clip-qty)', 'MM_HALF_SPREAD_BPS (--half-spread-bps)', 'MM_ORDER_QTY (--order-qty)'].sort(),
    );
    expect(() => checkConfigAgainstInstruments([btc()], params())).not.toThrow();
  });
});
