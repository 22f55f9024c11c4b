/**
 * The PERCENT_PRICE filter of GET /fapi/v1/exchangeInfo: Binance refuses a limit price above
 * markPrice x multiplierUp or below markPrice x multiplierDown. The core's Instrument does not
 * carry it, so the adapter hands out instruments that do (`BandedInstrument`); a symbol whose
 * exchangeInfo has no usable filter simply has no band.
 */
import { Instrument, type InstrumentSpec } from '../../core/instrument.ts';

/** The limit prices Binance accepts, as multipliers of the mark price (decimal strings, e.g. "1.0500"). */
export interface PercentPriceBand {
  readonly multiplierUp: string;
  readonly multiplierDown: string;
}

/** An instrument with the venue's PERCENT_PRICE band, or null when exchangeInfo gave none. */
export class BandedInstrument extends Instrument {
  readonly percentPrice: PercentPriceBand | null;

  constructor(spec: InstrumentSpec, percentPrice: PercentPriceBand | null) {
    super(spec);
    this.percentPrice = percentPrice;
  }
}

const MULTIPLIER_RE = /^\d+(?:\.\d+)?$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the band of one symbol entry, or null when it has no well-formed PERCENT_PRICE filter. */
function bandOf(symbol: Record<string, unknown>): PercentPriceBand | null {
  const filters = symbol['filters'];
  if (!Array.isArray(filters)) return null;
  const filter = filters.find((f): f is Record<string, unknown> => isRecord(f) && f['filterType'] === 'PERCENT_PRICE');
  if (filter === undefined) return null;
  const up = filter['multiplierUp'];
  const down = filter['multiplierDown'];
  if (typeof up !== 'string' || typeof down !== 'string' || !MULTIPLIER_RE.test(up) || !MULTIPLIER_RE.test(down)) return null;
  // A band that excludes the mark price itself is not a band: ignored rather than trusted.
  if (!(Number(up) > 1 && Number(down) > 0 && Number(down) < 1)) return null;
  return { multiplierUp: up, multiplierDown: down };
}

/**
 * Returns the PERCENT_PRICE band of every symbol in an exchangeInfo body that has a usable one.
 * Never throws: a malformed entry only means that symbol has no band (the instrument parser
 * decides what a malformed symbol means for trading).
 */
export function parsePercentPriceBands(body: unknown): Map<string, PercentPriceBand> {
  const bands = new Map<string, PercentPriceBand>();
  const symbols = isRecord(body) ? body['symbols'] : undefined;
  if (!Array.isArray(symbols)) return bands;
  for (const entry of symbols) {
    if (!isRecord(entry) || typeof entry['symbol'] !== 'string') continue;
    const band = bandOf(entry);
    if (band !== null) bands.set(entry['symbol'], band);
  }
  return bands;
}

/** Returns the instrument with its PERCENT_PRICE band attached. */
export function withPercentPrice(instrument: Instrument, band: PercentPriceBand | null): BandedInstrument {
  return new BandedInstrument(instrument.spec, band);
}

/** Returns an instrument's PERCENT_PRICE band, or null when the venue gave none. */
export function percentPriceOf(instrument: Instrument): PercentPriceBand | null {
  return instrument instanceof BandedInstrument ? instrument.percentPrice : null;
}
