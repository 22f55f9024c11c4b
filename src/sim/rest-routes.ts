/**
 * Every Binance USDⓈ-M REST endpoint the simulator answers: market data
 * (rest-market-routes.ts), orders and trades (rest-trade-routes.ts), account, settings and
 * the listenKey (rest-account-routes.ts).
 */
import { accountRoutes } from './rest-account-routes.ts';
import { marketRoutes } from './rest-market-routes.ts';
import type { Route, RouteTable } from './rest-route.ts';
import { tradeRoutes } from './rest-trade-routes.ts';

/** Returns every REST route keyed by "METHOD /path". */
export function restRoutes(): ReadonlyMap<string, Route> {
  const routes: RouteTable = new Map();
  marketRoutes(routes);
  tradeRoutes(routes);
  accountRoutes(routes);
  return routes;
}
