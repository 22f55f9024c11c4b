/** Market data: bookTicker, markPrice stream and premiumIndex. */
import type { BookTop, MarkPriceUpdate } from '../../core/model.ts';
import { WireFormatError } from '../errors.ts';
import { asObject, decimal, int, str, ticks, steps, type JsonObject } from './fields.ts';
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
