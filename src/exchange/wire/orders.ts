/** Order REST responses (newOrder RESULT, cancelOrder, queryOrder, openOrders) -> OrderSnapshot. */
import type { OrderSnapshot } from '../../core/model.ts';
import { toOrderStatus, toOrderType, toSide, toTimeInForce } from './enums.ts';
import { asArray, asObject, bool, id, int, steps, str, ticks } from './fields.ts';
import { requireInstrument, type InstrumentLookup } from './instruments.ts';

/** Returns one order object as an OrderSnapshot. */
export function parseOrder(body: unknown, lookup: InstrumentLookup, path = '$'): OrderSnapshot {
  const o = asObject(body, path);
  const at = (key: string): string => `${path}.${key}`;
  const symbol = str(o, 'symbol', at('symbol'));
  const instrument = requireInstrument(lookup, symbol, at('symbol'));
  return {
    symbol,
    orderId: id(o, 'orderId', at('orderId')),
    clientOrderId: str(o, 'clientOrderId', at('clientOrderId')),
    side: toSide(str(o, 'side', at('side')), at('side')),
    type: toOrderType(str(o, 'type', at('type')), at('type')),
    timeInForce: toTimeInForce(str(o, 'timeInForce', at('timeInForce')), at('timeInForce')),
    status: toOrderStatus(str(o, 'status', at('status')), at('status')),
    priceTicks: ticks(instrument, o, 'price', at('price')),
    qtySteps: steps(instrument, o, 'origQty', at('origQty')),
    executedSteps: steps(instrument, o, 'executedQty', at('executedQty')),
    reduceOnly: bool(o, 'reduceOnly', at('reduceOnly')),
    updateTimeMs: int(o, 'updateTime', at('updateTime')),
  };
}

/** Returns every order of an openOrders array. */
export function parseOrders(body: unknown, lookup: InstrumentLookup): OrderSnapshot[] {
  const list = asArray(body, '$');
  const out: OrderSnapshot[] = [];
  for (let i = 0; i < list.length; i++) out.push(parseOrder(list[i], lookup, `$[${i}]`));
  return out;
}
