/** GET /fapi/v1/exchangeInfo -> InstrumentSpec per symbol. */
import { compareDecimal } from '../../core/decimal.ts';
import { Instrument, type InstrumentSpec, type PercentPriceBand } from '../../core/instrument.ts';
import { WireFormatError } from '../errors.ts';
import { asArray, asObject, decimal, str, type JsonObject } from './fields.ts';

/** A symbol entry of exchangeInfo that could not be read. */
export interface MalformedSymbol {
  /** The entry's `symbol`, when even that could not be read: null. */
  readonly symbol: string | null;
  readonly error: string;
}

/** What exchangeInfo lists: each readable symbol's spec and status, and the entries that are not readable. */
export interface ExchangeInfo {
  readonly specs: ReadonlyMap<string, InstrumentSpec>;
  /** `status` per symbol: TRADING, or SETTLING, PENDING_TRADING, CLOSE, ... */
  readonly statuses: ReadonlyMap<string, string>;
  readonly malformed: readonly MalformedSymbol[];
}

/**
 * Returns every symbol listed in an exchangeInfo body. One malformed entry does not make the
 * others unreadable: it is listed in `malformed` (only a symbol we trade needs to be readable).
 * Throws a WireFormatError when the body itself has no `symbols` list.
 */
export function parseExchangeInfo(body: unknown): ExchangeInfo {
  const root = asObject(body, '$');
  const symbols = asArray(root['symbols'], 'symbols');
  const specs = new Map<string, InstrumentSpec>();
  const statuses = new Map<string, string>();
  const malformed: MalformedSymbol[] = [];
  for (let i = 0; i < symbols.length; i++) {
    const entry = symbols[i];
    const name =
      typeof entry === 'object' && entry !== null && typeof (entry as JsonObject)['symbol'] === 'string' ? String((entry as JsonObject)['symbol']) : null;
    try {
      const symbol = asObject(entry, `symbols[${i}]`);
      const spec = parseSymbol(symbol, `symbols[${i}]`);
      specs.set(spec.symbol, spec);
      statuses.set(spec.symbol, str(symbol, 'status', `symbols[${i}].status`));
    } catch (error) {
      if (!(error instanceof WireFormatError)) throw error;
      malformed.push({ symbol: name, error: error.message });
    }
  }
  return { specs, statuses, malformed };
}

function parseSymbol(symbol: JsonObject, path: string): InstrumentSpec {
  const filters = asArray(symbol['filters'], `${path}.filters`);
  let price: JsonObject | null = null;
  let lot: JsonObject | null = null;
  let notional: JsonObject | null = null;
  let percent: JsonObject | null = null;
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
      case 'PERCENT_PRICE':
        percent = filter;
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
    ...percentPriceOf(percent),
  };
}

const MULTIPLIER_RE = /^\d+(?:\.\d+)?$/;

/**
 * Returns `{ percentPrice }` for a usable PERCENT_PRICE filter, or nothing: a missing or
 * malformed one (or one that excludes the mark price itself) only means the symbol is not
 * checked against a band; it never makes the symbol unreadable.
 */
function percentPriceOf(filter: JsonObject | null): { percentPrice?: PercentPriceBand } {
  if (filter === null) return {};
  const up = filter['multiplierUp'];
  const down = filter['multiplierDown'];
  if (typeof up !== 'string' || typeof down !== 'string' || !MULTIPLIER_RE.test(up) || !MULTIPLIER_RE.test(down)) return {};
  if (!(compareDecimal(up, '1') > 0 && compareDecimal(down, '0') > 0 && compareDecimal(down, '1') < 0)) return {};
  return { percentPrice: { multiplierUp: up, multiplierDown: down } };
}

/** Returns an Instrument for the spec, or throws a WireFormatError when the grid is unusable. */
export function toInstrument(spec: InstrumentSpec): Instrument {
  try {
    return new Instrument(spec);
  } catch (error) {
    throw new WireFormatError(spec.symbol, `unusable trading filters: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}
