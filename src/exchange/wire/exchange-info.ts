/** GET /fapi/v1/exchangeInfo -> InstrumentSpec per symbol. */
import { Instrument, type InstrumentSpec } from '../../core/instrument.ts';
import { WireFormatError } from '../errors.ts';
import { asArray, asObject, decimal, str, type JsonObject } from './fields.ts';

/** Returns the specs of every symbol listed in an exchangeInfo body, keyed by symbol. */
export function parseExchangeInfo(body: unknown): Map<string, InstrumentSpec> {
  const root = asObject(body, '$');
  const symbols = asArray(root['symbols'], 'symbols');
  const specs = new Map<string, InstrumentSpec>();
  for (let i = 0; i < symbols.length; i++) {
    const spec = parseSymbol(asObject(symbols[i], `symbols[${i}]`), `symbols[${i}]`);
    specs.set(spec.symbol, spec);
  }
  return specs;
}

function parseSymbol(symbol: JsonObject, path: string): InstrumentSpec {
  const filters = asArray(symbol['filters'], `${path}.filters`);
  let price: JsonObject | null = null;
  let lot: JsonObject | null = null;
  let notional: JsonObject | null = null;
  for (let i = 0; i < filters.length; i++) {
    const filter = asObject(filters[i], `${path}.filters[${i}]`);
    switch (filter['filterType']) {
      case 'PRICE_FILTER':
        price = filter;
        break;
      case 'LOT_SIZE':
        lot = filter;
        break;
      case 'MIN_NOTIONAL':
        notional = filter;
        break;
      default:
        break;
    }
  }
  if (price === null) throw new WireFormatError(`${path}.filters`, 'no PRICE_FILTER');
  if (lot === null) throw new WireFormatError(`${path}.filters`, 'no LOT_SIZE');
  const p = price;
  const l = lot;
  const n = notional;
  const fp = `${path}.PRICE_FILTER`;
  const fl = `${path}.LOT_SIZE`;
  return {
    symbol: str(symbol, 'symbol', `${path}.symbol`),
    baseAsset: str(symbol, 'baseAsset', `${path}.baseAsset`),
    quoteAsset: str(symbol, 'quoteAsset', `${path}.quoteAsset`),
    marginAsset: str(symbol, 'marginAsset', `${path}.marginAsset`),
    tickSize: decimal(p, 'tickSize', `${fp}.tickSize`),
    minPrice: decimal(p, 'minPrice', `${fp}.minPrice`),
    maxPrice: decimal(p, 'maxPrice', `${fp}.maxPrice`),
    stepSize: decimal(l, 'stepSize', `${fl}.stepSize`),
    minQty: decimal(l, 'minQty', `${fl}.minQty`),
    maxQty: decimal(l, 'maxQty', `${fl}.maxQty`),
    minNotional: n === null ? '0' : decimal(n, 'notional', `${path}.MIN_NOTIONAL.notional`),
  };
}

/** Returns an Instrument for the spec, or throws a WireFormatError when the grid is unusable. */
export function toInstrument(spec: InstrumentSpec): Instrument {
  try {
    return new Instrument(spec);
  } catch (error) {
    throw new WireFormatError(spec.symbol, `unusable trading filters: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}
