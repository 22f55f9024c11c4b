/** GET /fapi/v1/userTrades (Account Trade List) -> UserTrade. */
import type { UserTrade } from '../../core/model.ts';
import { WireFormatError } from '../errors.ts';
import { toPositionSide, toSide } from './enums.ts';
import { asArray, asObject, bool, decimal, id, int, money, steps, str, ticks } from './fields.ts';
import { requireInstrument, type InstrumentLookup } from './instruments.ts';

/** Returns one trade of the account trade list; every documented field is checked. */
export function parseUserTrade(body: unknown, lookup: InstrumentLookup, path = '$'): UserTrade {
  const t = asObject(body, path);
  const at = (key: string): string => `${path}.${key}`;
  const symbol = str(t, 'symbol', at('symbol'));
  const instrument = requireInstrument(lookup, symbol, at('symbol'));
  const side = toSide(str(t, 'side', at('side')), at('side'));
  // Not used, but validated: a change of meaning must be seen, not silently skipped.
  const buyer = bool(t, 'buyer', at('buyer'));
  if (buyer !== (side === 'BUY')) throw new WireFormatError(at('buyer'), `buyer ${buyer} contradicts side ${side}`);
  toPositionSide(str(t, 'positionSide', at('positionSide')), at('positionSide'));
  decimal(t, 'quoteQty', at('quoteQty'));
  const tradeId = int(t, 'id', at('id'));
  if (tradeId < 0) throw new WireFormatError(at('id'), `negative trade id ${tradeId}`);
  const qtySteps = steps(instrument, t, 'qty', at('qty'));
  if (qtySteps <= 0) throw new WireFormatError(at('qty'), 'a trade quantity must be positive');
  return {
    symbol,
    tradeId,
    orderId: id(t, 'orderId', at('orderId')),
    side,
    priceTicks: ticks(instrument, t, 'price', at('price')),
    qtySteps,
    commission: money(t, 'commission', at('commission')),
    commissionAsset: str(t, 'commissionAsset', at('commissionAsset')),
    realizedPnl: money(t, 'realizedPnl', at('realizedPnl')),
    isMaker: bool(t, 'maker', at('maker')),
    timeMs: int(t, 'time', at('time')),
  };
}

/** Returns every trade of an account-trade-list answer, in the order sent. */
export function parseUserTrades(body: unknown, lookup: InstrumentLookup): UserTrade[] {
  const list = asArray(body, '$');
  const out: UserTrade[] = [];
  for (let i = 0; i < list.length; i++) out.push(parseUserTrade(list[i], lookup, `$[${i}]`));
  return out;
}
