/**
 * The WebSocket API methods the simulator serves for USDⓈ-M futures, each answered by the REST
 * route Binance documents as its equivalent (same parameters, checks, weight, order count and
 * answer shape): orders (place, modify, cancel, status), positions, account and balance (v1 and
 * v2 forms), market data (depth, ticker.book, ticker.price), and the listenKey
 * (userDataStream.start/ping/stop).
 */
import type { Route } from './rest-route.ts';

/** WebSocket API method -> the REST route ("METHOD /path") that answers it. */
const REST_EQUIVALENTS: ReadonlyArray<readonly [string, string]> = [
  ['order.place', 'POST /fapi/v1/order'],
  ['order.modify', 'PUT /fapi/v1/order'],
  ['order.cancel', 'DELETE /fapi/v1/order'],
  ['order.status', 'GET /fapi/v1/order'],
  ['account.position', 'GET /fapi/v2/positionRisk'],
  ['v2/account.position', 'GET /fapi/v3/positionRisk'],
  ['account.status', 'GET /fapi/v2/account'],
  ['v2/account.status', 'GET /fapi/v3/account'],
  ['account.balance', 'GET /fapi/v2/balance'],
  ['v2/account.balance', 'GET /fapi/v3/balance'],
  ['depth', 'GET /fapi/v1/depth'],
  ['ticker.book', 'GET /fapi/v1/ticker/bookTicker'],
  ['ticker.price', 'GET /fapi/v1/ticker/price'],
  ['userDataStream.start', 'POST /fapi/v1/listenKey'],
  ['userDataStream.ping', 'PUT /fapi/v1/listenKey'],
  ['userDataStream.stop', 'DELETE /fapi/v1/listenKey'],
];

/** Returns the WebSocket API's methods, keyed by method name, from the REST route table. */
export function wsApiMethods(restRoutes: ReadonlyMap<string, Route>): ReadonlyMap<string, Route> {
  const methods = new Map<string, Route>();
  for (const [method, restKey] of REST_EQUIVALENTS) {
    const route = restRoutes.get(restKey);
    if (route === undefined) throw new Error(`the WebSocket API method ${method} needs the REST route ${restKey}`);
    methods.set(method, route);
  }
  return methods;
}
