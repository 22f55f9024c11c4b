/**
 * The WebSocket API methods the adapter sends, named after them (as the REST client's methods
 * are named after endpoints): order.place, order.modify, order.cancel, order.status and
 * v2/account.position. Each returns the answer's `result` or throws as WsApiClient.call does.
 */
import type { Side } from '../core/model.ts';
import type { NewOrderParams } from './rest-client.ts';
import type { WsApiCall } from './ws-api-client.ts';

/** What sends a request: the WsApiClient, or a decorator around it. */
export interface WsApiCaller {
  call(call: WsApiCall): Promise<unknown>;
}

export interface OrderModifyParams {
  readonly symbol: string;
  readonly origClientOrderId: string;
  readonly side: Side;
  readonly quantity: string;
  readonly price: string;
}

export class WsApiTrading {
  private readonly caller: WsApiCaller;

  constructor(caller: WsApiCaller) {
    this.caller = caller;
  }

  /** order.place with newOrderRespType=RESULT. Never sent again by the client. */
  orderPlace(order: NewOrderParams): Promise<unknown> {
    return this.caller.call({
      method: 'order.place',
      params: {
        symbol: order.symbol,
        side: order.side,
        type: order.type,
        quantity: order.quantity,
        price: order.price,
        timeInForce: order.timeInForce,
        reduceOnly: order.reduceOnly ? 'true' : undefined,
        newClientOrderId: order.newClientOrderId,
        newOrderRespType: 'RESULT',
      },
      idempotent: false,
      order: { symbol: order.symbol, side: order.side, type: order.type, clientOrderId: order.newClientOrderId },
    });
  }

  /** order.modify: a LIMIT order's new price and quantity (Binance keeps the side). Never sent again by the client. */
  orderModify(modify: OrderModifyParams): Promise<unknown> {
    return this.caller.call({
      method: 'order.modify',
      params: { ...modify },
      idempotent: false,
      order: { symbol: modify.symbol, side: modify.side, type: 'LIMIT', clientOrderId: modify.origClientOrderId },
    });
  }

  /** order.cancel by client order id. */
  orderCancel(symbol: string, origClientOrderId: string): Promise<unknown> {
    return this.caller.call({
      method: 'order.cancel',
      params: { symbol, origClientOrderId },
      idempotent: true,
      order: { symbol, side: null, type: null, clientOrderId: origClientOrderId },
    });
  }

  /** order.status by client order id (-2013 when the venue does not know the order). */
  orderStatus(symbol: string, origClientOrderId: string): Promise<unknown> {
    return this.caller.call({
      method: 'order.status',
      params: { symbol, origClientOrderId },
      idempotent: true,
      order: { symbol, side: null, type: null, clientOrderId: origClientOrderId },
    });
  }

  /** v2/account.position: the symbol's position as GET /fapi/v3/positionRisk lists it. */
  accountPositionV2(symbol: string): Promise<unknown> {
    return this.caller.call({ method: 'v2/account.position', params: { symbol }, idempotent: true, order: null });
  }
}
