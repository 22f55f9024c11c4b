/**
 * Where orders, cancels and order queries travel: over the WebSocket API while it is preferred
 * and its connection is open, over REST otherwise (not configured, connecting, reconnecting
 * after a drop, backing off its reconnects, stopped), and back as soon as it is open again.
 * Each command goes over exactly one transport: a request the WebSocket API never wrote goes
 * over REST instead; one it wrote and lost is ambiguous and is not placed again, but a lost
 * cancel or query (idempotent) is asked again over REST, as the REST client retries its GETs
 * and DELETEs. Every change of transport is reported, with why.
 */
import type { Clock } from '../core/clock.ts';
import type { CommandOutcome, OrderSnapshot, PositionSnapshot } from '../core/model.ts';
import type { OrderTransport, OrderTransportChange } from '../core/venue.ts';
import { failure } from './command-outcome.ts';
import { ExchangeError } from './errors.ts';
import type { BinanceRestClient, NewOrderParams } from './rest-client.ts';
import type { InstrumentLookup } from './wire/instruments.ts';
import { parseOrder } from './wire/orders.ts';
import { parsePositionRisk } from './wire/positions.ts';
import { WsApiUnavailableError, type WsApiStateChange } from './ws-api-client.ts';
import type { WsApiTrading } from './ws-api-trading.ts';

/** The REST side of the router: the REST client's order endpoints. */
export type RestOrderApi = Pick<BinanceRestClient, 'newOrder' | 'cancelOrder' | 'queryOrder' | 'positionRisk'>;

/** The WebSocket API side of the router: whether it can send now, and its methods. */
export interface WsOrderApi {
  isReady(): boolean;
  readonly trading: WsApiTrading;
}

export interface OrderRouterOptions {
  /** 'ws': the WebSocket API while it is up, REST while it is down; 'rest': REST only. */
  readonly preference: OrderTransport;
  readonly rest: RestOrderApi;
  /** Required with preference 'ws'. */
  readonly ws: WsOrderApi | null;
  readonly lookup: InstrumentLookup;
  readonly clock: Clock;
}

/** Binance: the queried order does not exist. */
const UNKNOWN_ORDER_QUERY = -2013;

export class OrderRouter {
  private readonly options: OrderRouterOptions;
  private listener: ((change: OrderTransportChange) => void) | null = null;
  private reported: OrderTransport | null = null;

  constructor(options: OrderRouterOptions) {
    if (options.preference === 'ws' && options.ws === null) throw new RangeError("orderTransport 'ws' needs the WebSocket API");
    this.options = options;
  }

  /** Returns the transport orders take now. */
  transport(): OrderTransport {
    return this.options.preference === 'ws' && this.options.ws?.isReady() === true ? 'ws' : 'rest';
  }

  /** Reports every later change to `listener`, and the transport in use now. */
  attach(listener: (change: OrderTransportChange) => void): void {
    this.listener = listener;
    this.reported = null;
    const reason = this.options.preference === 'rest' ? 'configured: rest' : this.transport() === 'ws' ? 'ws-api open' : 'ws-api connecting';
    this.report(reason);
  }

  /** Stops reporting. */
  detach(): void {
    this.listener = null;
  }

  /** Takes a readiness change of the WebSocket API client (its onState). */
  wsStateChanged(change: WsApiStateChange): void {
    this.report(`ws-api ${change.reason}`);
  }

  /** Sends one new order (never sent again: an ambiguous outcome is returned as such). */
  async placeOrder(order: NewOrderParams): Promise<CommandOutcome<OrderSnapshot>> {
    const ws = this.options.ws;
    const routed = { transport: this.transport() };
    try {
      const body = await this.send(ws === null ? null : () => ws.trading.orderPlace(order), () => this.options.rest.newOrder(order), false, routed);
      return { kind: 'accepted', value: parseOrder(body, this.options.lookup), transport: routed.transport };
    } catch (error) {
      return { ...failure(error), transport: routed.transport };
    }
  }

  /** Cancels one order by client id. */
  async cancelOrder(symbol: string, clientOrderId: string): Promise<CommandOutcome<OrderSnapshot>> {
    const ws = this.options.ws;
    const routed = { transport: this.transport() };
    try {
      const body = await this.send(
        ws === null ? null : () => ws.trading.orderCancel(symbol, clientOrderId),
        () => this.options.rest.cancelOrder(symbol, clientOrderId),
        true,
        routed,
      );
      return { kind: 'accepted', value: parseOrder(body, this.options.lookup), transport: routed.transport };
    } catch (error) {
      return { ...failure(error), transport: routed.transport };
    }
  }

  /** Returns the order, or null when the venue does not know it (-2013). */
  async queryOrder(symbol: string, clientOrderId: string): Promise<CommandOutcome<OrderSnapshot | null>> {
    const ws = this.options.ws;
    try {
      const body = await this.send(
        ws === null ? null : () => ws.trading.orderStatus(symbol, clientOrderId),
        () => this.options.rest.queryOrder(symbol, clientOrderId),
        true,
      );
      return { kind: 'accepted', value: parseOrder(body, this.options.lookup) };
    } catch (error) {
      if (error instanceof ExchangeError && error.binanceCode === UNKNOWN_ORDER_QUERY) return { kind: 'accepted', value: null };
      return failure(error);
    }
  }

  /** Returns the one-way position of a symbol (throws as the REST call would). */
  async position(symbol: string): Promise<PositionSnapshot> {
    const ws = this.options.ws;
    const body = await this.send(ws === null ? null : () => ws.trading.accountPositionV2(symbol), () => this.options.rest.positionRisk(symbol), true);
    return parsePositionRisk(body, symbol, this.options.lookup, this.options.clock.nowMs());
  }

  /**
   * Sends over the WebSocket API when it is the transport, else (or when it did not send) over
   * REST; `routed.transport` is left naming the transport of the last request written.
   */
  private async send(
    overWs: (() => Promise<unknown>) | null,
    overRest: () => Promise<unknown>,
    idempotent: boolean,
    routed: { transport: OrderTransport } = { transport: 'rest' },
  ): Promise<unknown> {
    routed.transport = 'rest';
    if (overWs !== null && this.transport() === 'ws') {
      routed.transport = 'ws';
      try {
        return await overWs();
      } catch (error) {
        if (error instanceof WsApiUnavailableError) this.report('ws-api not connected');
        // A lost cancel or query changes nothing when asked again; a lost order is never sent twice.
        else if (!(idempotent && error instanceof ExchangeError && error.outcome === 'ambiguous')) throw error;
      }
    }
    routed.transport = 'rest';
    return overRest();
  }

  private report(reason: string): void {
    const transport = this.transport();
    if (transport === this.reported || this.listener === null) return;
    this.reported = transport;
    this.listener({ transport, reason });
  }
}
