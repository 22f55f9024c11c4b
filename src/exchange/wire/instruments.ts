/** How parsers find the grid of a symbol. */
import type { Instrument } from '../../core/instrument.ts';
import { WireFormatError } from '../errors.ts';

export type InstrumentLookup = (symbol: string) => Instrument | undefined;

/** Returns the instrument of `symbol`, or throws naming `path` when it was never loaded. */
export function requireInstrument(lookup: InstrumentLookup, symbol: string, path: string): Instrument {
  const instrument = lookup(symbol);
  if (instrument === undefined) throw new WireFormatError(path, `unknown symbol "${symbol.slice(0, 20)}"`);
  return instrument;
}
