/** Market data: bookTicker, diff depth, depth snapshot, markPrice stream and premiumIndex. */
import type { Instrument, Steps, Ticks } from '../../core/instrument.ts';
import type { BookTop, DepthDiff, DepthSnapshot, MarkPriceUpdate } from '../../core/model.ts';
import { WireFormatError } from '../errors.ts';
import { asArray, asObject, decimal, int, str, ticks, steps, toSteps, toTicks, type JsonObject } from './fields.ts';
import { requireInstrument, type InstrumentLookup } from './instruments.ts';

function expectEvent(o: JsonObject, name: string): void {
  if (str(o, 'e') !== name) throw new WireFormatError('e', `expected "${name}"`);
}

/** Returns a `<symbol>@bookTicker` event as a BookTop. */
export function parseBookTicker(data: unknown, lookup: InstrumentLookup): BookTop {
  const o = asObject(data, '$');
  expectEvent(o, 'bookTicker');
  const symbol = str(o, 's');
  const instrument = requireInstrument(lookup, symbol, 's');
  return {
    symbol,
    updateId: int(o, 'u'),
    bidTicks: ticks(instrument, o, 'b'),
    bidSteps: steps(instrument, o, 'B'),
    askTicks: ticks(instrument, o, 'a'),
    askSteps: steps(instrument, o, 'A'),
    txTimeMs: int(o, 'T'),
    eventTimeMs: int(o, 'E'),
  };
}

function parseLevels(instrument: Instrument, value: unknown, path: string): Array<readonly [Ticks, Steps]> {
  const list = asArray(value, path);
  const out: Array<readonly [Ticks, Steps]> = [];
  for (let i = 0; i < list.length; i++) {
    const level = asArray(list[i], `${path}[${i}]`);
    const price = level[0];
    const qty = level[1];
    if (typeof price !== 'string' || typeof qty !== 'string') throw new WireFormatError(`${path}[${i}]`, 'expected ["price","qty"]');
    out.push([toTicks(instrument, price, `${path}[${i}][0]`), toSteps(instrument, qty, `${path}[${i}][1]`)]);
  }
  return out;
}

/** Returns a `<symbol>@depth` event as a DepthDiff. */
export function parseDepthUpdate(data: unknown, lookup: InstrumentLookup): DepthDiff {
  const o = asObject(data, '$');
  expectEvent(o, 'depthUpdate');
  const symbol = str(o, 's');
  const instrument = requireInstrument(lookup, symbol, 's');
  return {
    symbol,
    firstUpdateId: int(o, 'U'),
    finalUpdateId: int(o, 'u'),
    prevFinalUpdateId: int(o, 'pu'),
    bids: parseLevels(instrument, o['b'], 'b'),
    asks: parseLevels(instrument, o['a'], 'a'),
    txTimeMs: int(o, 'T'),
    eventTimeMs: int(o, 'E'),
  };
}

/** Returns a GET /fapi/v1/depth body as a DepthSnapshot of `symbol`. */
export function parseDepthSnapshot(body: unknown, symbol: string, lookup: InstrumentLookup): DepthSnapshot {
  const o = asObject(body, '$');
  const instrument = requireInstrument(lookup, symbol, 'symbol');
  return {
    symbol,
    lastUpdateId: int(o, 'lastUpdateId'),
    bids: parseLevels(instrument, o['bids'], 'bids'),
    asks: parseLevels(instrument, o['asks'], 'asks'),
  };
}

/** Returns a `<symbol>@markPrice` event as a MarkPriceUpdate. */
export function parseMarkPriceUpdate(data: unknown): MarkPriceUpdate {
  const o = asObject(data, '$');
  expectEvent(o, 'markPriceUpdate');
  return {
    symbol: str(o, 's'),
    markPrice: decimal(o, 'p'),
    indexPrice: decimal(o, 'i'),
    fundingRate: decimal(o, 'r'),
    nextFundingTimeMs: int(o, 'T'),
    eventTimeMs: int(o, 'E'),
  };
}

/** Returns a GET /fapi/v1/premiumIndex body (one symbol) as a MarkPriceUpdate. */
export function parsePremiumIndex(body: unknown): MarkPriceUpdate {
  const o = asObject(body, '$');
  return {
    symbol: str(o, 'symbol'),
    markPrice: decimal(o, 'markPrice'),
    indexPrice: decimal(o, 'indexPrice'),
    fundingRate: decimal(o, 'lastFundingRate'),
    nextFundingTimeMs: int(o, 'nextFundingTime'),
    eventTimeMs: int(o, 'time'),
  };
}

/** A frame of a combined stream: `{"stream": "...", "data": {...}}`. */
export interface CombinedFrame {
  readonly stream: string;
  readonly data: unknown;
}

/** Returns the stream name and payload of a combined-stream frame. */
export function parseCombinedFrame(frame: unknown): CombinedFrame {
  const o = asObject(frame, '$');
  return { stream: str(o, 'stream'), data: asObject(o['data'], 'data') };
}
