/**
 * The account over REST, with Binance's weights: positions, balances, account information v2
 * and v3, leverage (with its ACCOUNT_CONFIG_UPDATE), margin type, position mode, symbol and
 * account configuration, leverage brackets, commission rates, income history, and the
 * user-data-stream listenKey.
 */
import type { MarginType } from '../core/model.ts';
import type { PositionView } from './engine-types.ts';
import { apiErrors } from './errors.ts';
import { booleanParam, integerParam, limitParam, optionalInteger, optionalSymbol, required, symbolParam, timeWindow } from './rest-params.ts';
import { fixed, signedRoute, userStreamRoute, type RouteContext, type RouteTable } from './rest-route.ts';
import {
  accountConfigJson,
  accountJson,
  accountV2Json,
  balanceJson,
  commissionRateJson,
  incomeJson,
  leverageBracketJson,
  positionRiskV2Json,
  positionRiskV3Json,
  symbolConfigJson,
} from './wire-account.ts';

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;
/** Every income type GET /fapi/v1/income documents (this venue produces TRANSFER, REALIZED_PNL, FUNDING_FEE and COMMISSION). */
const INCOME_TYPES = new Set([
  'TRANSFER',
  'WELCOME_BONUS',
  'REALIZED_PNL',
  'FUNDING_FEE',
  'COMMISSION',
  'INSURANCE_CLEAR',
  'REFERRAL_KICKBACK',
  'COMMISSION_REBATE',
  'API_REBATE',
  'CONTEST_REWARD',
  'CROSS_COLLATERAL_TRANSFER',
  'OPTIONS_PREMIUM_FEE',
  'OPTIONS_SETTLE_PROFIT',
  'INTERNAL_TRANSFER',
  'AUTO_EXCHANGE',
  'DELIVERED_SETTELMENT',
  'COIN_SWAP_DEPOSIT',
  'COIN_SWAP_WITHDRAW',
  'POSITION_LIMIT_INCREASE_FEE',
  'STRATEGY_UMFUTURES_TRANSFER',
  'FEE_RETURN',
  'BFUSD_REWARD',
]);

function positions(ctx: RouteContext, all: boolean): PositionView[] {
  const engine = ctx.exchange.engine;
  const one = optionalSymbol(ctx.params, engine);
  const symbols = one !== null ? [one] : engine.symbolNames();
  return symbols.map((s) => engine.position(s)).filter((p) => all || p.amountSteps !== 0 || engine.openOrders(p.symbol).length > 0);
}

/** Returns the symbol asked for, or every symbol. */
function symbolsOf(ctx: RouteContext): string[] {
  const one = optionalSymbol(ctx.params, ctx.exchange.engine);
  return one !== null ? [one] : ctx.exchange.engine.symbolNames();
}

/**
 * GET /fapi/v1/income: wallet flows oldest first, of one symbol and one type when asked; within
 * [startTime, endTime] (neither: the last 7 days), `limit` per `page` (1-based).
 */
function incomeHistory(ctx: RouteContext): unknown[] {
  const engine = ctx.exchange.engine;
  const symbol = optionalSymbol(ctx.params, engine);
  const type = ctx.params.get('incomeType');
  if (type !== null && type !== '' && !INCOME_TYPES.has(type)) throw apiErrors.illegalValue('incomeType');
  const { startTime, endTime } = timeWindow(ctx.params);
  const limit = limitParam(ctx.params, 100, 1000);
  const page = optionalInteger(ctx.params, 'page') ?? 1;
  if (page < 1) throw apiErrors.illegalValue('page');
  const from = startTime ?? (endTime === null ? ctx.nowMs - SEVEN_DAYS_MS : 0);
  const to = endTime ?? Number.MAX_SAFE_INTEGER;
  return engine
    .incomeRecords()
    .filter((r) => (symbol === null || r.symbol === symbol) && (type === null || type === '' || r.type === type) && r.timeMs >= from && r.timeMs <= to)
    .slice((page - 1) * limit, page * limit)
    .map((r) => incomeJson(engine, r));
}

/** Adds the account routes. */
export function accountRoutes(routes: RouteTable): void {
  routes.set(
    'GET /fapi/v3/positionRisk',
    signedRoute(fixed(5), (ctx) => positions(ctx, false).map((p) => positionRiskV3Json(ctx.exchange.engine, p))),
  );
  routes.set(
    'GET /fapi/v2/positionRisk',
    signedRoute(fixed(5), (ctx) => positions(ctx, true).map((p) => positionRiskV2Json(ctx.exchange.engine, p))),
  );
  routes.set(
    'GET /fapi/v3/balance',
    signedRoute(fixed(5), (ctx) => balanceJson(ctx.exchange.engine, ctx.nowMs)),
  );
  routes.set(
    'GET /fapi/v2/balance',
    signedRoute(fixed(5), (ctx) => balanceJson(ctx.exchange.engine, ctx.nowMs)),
  );
  routes.set(
    'GET /fapi/v3/account',
    signedRoute(fixed(5), (ctx) => accountJson(ctx.exchange.engine, ctx.nowMs)),
  );
  routes.set(
    'GET /fapi/v2/account',
    signedRoute(fixed(5), (ctx) => accountV2Json(ctx.exchange.engine, ctx.nowMs)),
  );
  routes.set(
    'POST /fapi/v1/leverage',
    signedRoute(fixed(1), (ctx) => {
      const symbol = symbolParam(ctx.params, ctx.exchange.engine);
      const events = ctx.exchange.engine.setLeverage(symbol, integerParam(ctx.params, 'leverage'), ctx.nowMs);
      ctx.exchange.emitAndRefresh(events, symbol);
      return { leverage: ctx.exchange.engine.settings(symbol).leverage, maxNotionalValue: '1000000000', symbol };
    }),
  );
  routes.set(
    'POST /fapi/v1/marginType',
    signedRoute(fixed(1), (ctx) => {
      const symbol = symbolParam(ctx.params, ctx.exchange.engine);
      const text = required(ctx.params, 'marginType').toUpperCase();
      if (text !== 'ISOLATED' && text !== 'CROSSED') throw apiErrors.illegalValue('marginType');
      ctx.exchange.engine.setMarginType(symbol, text satisfies MarginType);
      return { code: 200, msg: 'success' };
    }),
  );
  routes.set(
    'GET /fapi/v1/positionSide/dual',
    signedRoute(fixed(30), () => ({ dualSidePosition: false })),
  );
  routes.set(
    'POST /fapi/v1/positionSide/dual',
    signedRoute(fixed(1), (ctx) => {
      required(ctx.params, 'dualSidePosition');
      if (!booleanParam(ctx.params, 'dualSidePosition')) throw apiErrors.positionSideUnchanged();
      const engine = ctx.exchange.engine;
      if (engine.openOrders().length > 0) throw apiErrors.positionSideOpenOrders();
      if (engine.symbolNames().some((s) => engine.position(s).amountSteps !== 0)) throw apiErrors.positionSideQuantity();
      // Hedge mode is not simulated: the account stays in one-way mode.
      throw apiErrors.unsupported();
    }),
  );
  routes.set(
    'GET /fapi/v1/symbolConfig',
    signedRoute(fixed(5), (ctx) => symbolsOf(ctx).map((symbol) => symbolConfigJson(ctx.exchange.engine, symbol))),
  );
  routes.set(
    'GET /fapi/v1/accountConfig',
    signedRoute(fixed(5), () => accountConfigJson()),
  );
  routes.set(
    'GET /fapi/v1/leverageBracket',
    signedRoute(fixed(1), (ctx) => {
      const one = optionalSymbol(ctx.params, ctx.exchange.engine);
      return one !== null ? leverageBracketJson(one) : ctx.exchange.engine.symbolNames().map(leverageBracketJson);
    }),
  );
  routes.set(
    'GET /fapi/v1/commissionRate',
    signedRoute(fixed(20), (ctx) => commissionRateJson(ctx.exchange.engine, symbolParam(ctx.params, ctx.exchange.engine))),
  );
  routes.set('GET /fapi/v1/income', signedRoute(fixed(30), incomeHistory));

  routes.set(
    'POST /fapi/v1/listenKey',
    userStreamRoute((ctx) => ({ listenKey: ctx.exchange.listenKeys.create(ctx.nowMs) })),
  );
  routes.set(
    'PUT /fapi/v1/listenKey',
    userStreamRoute((ctx) => {
      if (ctx.faults.takeKeepaliveRejection()) throw apiErrors.invalidListenKey();
      const key = ctx.exchange.listenKeys.keepAlive(ctx.nowMs);
      if (key === null) throw apiErrors.invalidListenKey();
      return { listenKey: key };
    }),
  );
  routes.set(
    'DELETE /fapi/v1/listenKey',
    userStreamRoute((ctx) => {
      ctx.exchange.listenKeys.close();
      return {};
    }),
  );
}
