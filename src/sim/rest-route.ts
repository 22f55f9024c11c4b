/**
 * What a REST route is: its security, its request weight, the orders it counts, and the
 * handler that returns the JSON body Binance would (or throws a BinanceApiError); with the
 * builders the route tables use.
 */
import type { FaultController } from './faults.ts';
import { NO_ORDERS, type OrderCount, type RateLimits } from './rate-limits.ts';
import type { SimulatedExchange } from './simulated-exchange.ts';

export type Security = 'NONE' | 'USER_STREAM' | 'SIGNED';

export interface RouteContext {
  readonly params: URLSearchParams;
  readonly nowMs: number;
  readonly exchange: SimulatedExchange;
  readonly faults: FaultController;
  readonly limits: RateLimits;
}

export interface Route {
  readonly security: Security;
  /** IP weight of the request (X-MBX-USED-WEIGHT-1M). */
  readonly weight: (params: URLSearchParams) => number;
  /** Orders the request counts (X-MBX-ORDER-COUNT-10S and -1M). */
  readonly orders: OrderCount;
  /** Whether the ambiguous-503 fault applies. */
  readonly orderEndpoint: boolean;
  readonly handle: (ctx: RouteContext) => unknown;
}

/** Routes keyed by "METHOD /path". */
export type RouteTable = Map<string, Route>;

/** Returns a weight that does not depend on the parameters. */
export const fixed = (weight: number) => (): number => weight;

/** Returns a weight of `one` with a symbol and `all` without (tickers, premiumIndex, openOrders). */
export const bySymbol =
  (one: number, all: number) =>
  (params: URLSearchParams): number =>
    params.get('symbol') ? one : all;

/** Returns a public market-data route. */
export function marketRoute(weight: Route['weight'], handle: Route['handle']): Route {
  return { security: 'NONE', weight, orders: NO_ORDERS, orderEndpoint: false, handle };
}

/** Returns a signed (TRADE or USER_DATA) route; order endpoints also get the ambiguous-503 fault. */
export function signedRoute(weight: Route['weight'], handle: Route['handle'], orders: OrderCount = NO_ORDERS, orderEndpoint = false): Route {
  return { security: 'SIGNED', weight, orders, orderEndpoint, handle };
}

/** Returns an API-key-only route (the listenKey endpoints). */
export function userStreamRoute(handle: Route['handle']): Route {
  return { security: 'USER_STREAM', weight: fixed(1), orders: NO_ORDERS, orderEndpoint: false, handle };
}
