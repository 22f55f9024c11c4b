/** The instruments of the repository's exchangeInfo fixture (tests/fixtures/binance), as the runner builds them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Instrument, InstrumentSpec } from '../../src/core/instrument.ts';
import { parseExchangeInfo, toInstrument } from '../../src/exchange/wire/exchange-info.ts';
import { REPO_ROOT } from './proc.ts';

/** Returns the fixture's spec of `symbol` (throws when the fixture has none). */
export function fixtureSpec(symbol: string): InstrumentSpec {
  const specs = parseExchangeInfo(JSON.parse(readFileSync(join(REPO_ROOT, 'tests/fixtures/binance/exchange-info.json'), 'utf8'))).specs;
  const spec = specs.get(symbol);
  if (spec === undefined) throw new Error(`fixture without ${symbol}`);
  return spec;
}

/** Returns the fixture's instrument of `symbol`. */
export function fixtureInstrument(symbol: string): Instrument {
  return toInstrument(fixtureSpec(symbol));
}
