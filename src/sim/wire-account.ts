/**
 * Binance JSON for the account: positions (positionRisk v2/v3), balances, account information
 * (v2 and v3), symbol and account configuration, leverage brackets, commission rates and the
 * income history. One-way mode, single-asset mode, one leverage bracket per symbol.
 */
import { divRound } from '../core/decimal.ts';
import { formatMoney, type Money } from '../core/money.ts';
import type { IncomeRecord, PositionView } from './engine-types.ts';
import type { MatchingEngine } from './matching-engine.ts';
import { formatHalfTicks, formatQty } from './wire-numbers.ts';

/** Maintenance margin rate of the one bracket every symbol has (Binance's first BTCUSDT bracket: 0.4%). */
const MAINT_MARGIN_BPS = 40n;
/** The one bracket's leverage cap and notional cap (the simulator caps nothing below them). */
const MAX_LEVERAGE = 125;
const MAX_NOTIONAL = '1000000000';

interface MarginFigures {
  readonly notional: Money;
  readonly positionInitial: Money;
  readonly openOrderInitial: Money;
  readonly maint: Money;
  readonly bidNotional: Money;
  readonly askNotional: Money;
}

function marginFigures(engine: MatchingEngine, p: PositionView): MarginFigures {
  const sym = engine.symbol(p.symbol);
  const leverage = BigInt(engine.settings(p.symbol).leverage);
  const value = divRound(sym.instrument.tickStepsToMoney(BigInt(p.markHalfTicks) * BigInt(Math.abs(p.amountSteps))), 2n, 'half-up');
  const sides = engine.openNotionals(p.symbol);
  return {
    notional: p.amountSteps < 0 ? -value : value,
    positionInitial: divRound(value, leverage, 'half-up'),
    openOrderInitial: divRound(sides.bids + sides.asks, leverage, 'half-up'),
    maint: divRound(value * MAINT_MARGIN_BPS, 10_000n, 'half-up'),
    bidNotional: sides.bids,
    askNotional: sides.asks,
  };
}

/** Returns one GET /fapi/v3/positionRisk entry. */
export function positionRiskV3Json(engine: MatchingEngine, p: PositionView): Record<string, unknown> {
  const sym = engine.symbol(p.symbol);
  const m = marginFigures(engine, p);
  return {
    symbol: p.symbol,
    positionSide: 'BOTH',
    positionAmt: formatQty(sym, p.amountSteps),
    entryPrice: p.entryPrice,
    breakEvenPrice: p.entryPrice,
    markPrice: formatHalfTicks(sym, p.markHalfTicks),
    unRealizedProfit: formatMoney(p.unrealizedPnl),
    liquidationPrice: '0',
    isolatedMargin: '0',
    notional: formatMoney(m.notional),
    marginAsset: engine.asset(),
    isolatedWallet: '0',
    initialMargin: formatMoney(m.positionInitial + m.openOrderInitial),
    maintMargin: formatMoney(m.maint),
    positionInitialMargin: formatMoney(m.positionInitial),
    openOrderInitialMargin: formatMoney(m.openOrderInitial),
    adl: 0,
    bidNotional: formatMoney(m.bidNotional),
    askNotional: formatMoney(m.askNotional),
    updateTime: p.updateTimeMs,
  };
}

/** Returns one GET /fapi/v2/positionRisk entry (the older shape with leverage and margin type). */
export function positionRiskV2Json(engine: MatchingEngine, p: PositionView): Record<string, unknown> {
  const sym = engine.symbol(p.symbol);
  const settings = engine.settings(p.symbol);
  const m = marginFigures(engine, p);
  return {
    symbol: p.symbol,
    positionAmt: formatQty(sym, p.amountSteps),
    entryPrice: p.entryPrice,
    breakEvenPrice: p.entryPrice,
    markPrice: formatHalfTicks(sym, p.markHalfTicks),
    unRealizedProfit: formatMoney(p.unrealizedPnl),
    liquidationPrice: '0',
    leverage: String(settings.leverage),
    maxNotionalValue: MAX_NOTIONAL,
    marginType: settings.marginType === 'CROSSED' ? 'cross' : 'isolated',
    isolatedMargin: '0.00000000',
    isAutoAddMargin: 'false',
    positionSide: 'BOTH',
    notional: formatMoney(m.notional),
    isolatedWallet: '0',
    updateTime: p.updateTimeMs,
  };
}

/** Returns the account-wide figures: wallet, unrealized PnL, margins, available balance. */
export function accountFigures(engine: MatchingEngine): {
  wallet: Money;
  unrealized: Money;
  positionInitial: Money;
  openOrderInitial: Money;
  maint: Money;
  available: Money;
} {
  let unrealized = 0n;
  let positionInitial = 0n;
  let openOrderInitial = 0n;
  let maint = 0n;
  for (const symbol of engine.symbolNames()) {
    const p = engine.position(symbol);
    const m = marginFigures(engine, p);
    unrealized += p.unrealizedPnl;
    positionInitial += m.positionInitial;
    openOrderInitial += m.openOrderInitial;
    maint += m.maint;
  }
  const wallet = engine.walletBalance();
  const available = wallet + unrealized - positionInitial - openOrderInitial;
  return { wallet, unrealized, positionInitial, openOrderInitial, maint, available: available > 0n ? available : 0n };
}

/** Returns GET /fapi/v3/balance (and v2). */
export function balanceJson(engine: MatchingEngine, nowMs: number): Record<string, unknown>[] {
  const f = accountFigures(engine);
  return [
    {
      accountAlias: 'SgsR',
      asset: engine.asset(),
      balance: formatMoney(f.wallet),
      crossWalletBalance: formatMoney(f.wallet),
      crossUnPnl: formatMoney(f.unrealized),
      availableBalance: formatMoney(f.available),
      maxWithdrawAmount: formatMoney(f.available),
      marginAvailable: true,
      updateTime: nowMs,
    },
  ];
}

/** Returns the totals and the margin asset's entry shared by account information v2 and v3. */
function accountTotalsJson(engine: MatchingEngine, nowMs: number): { totals: Record<string, unknown>; asset: Record<string, unknown> } {
  const f = accountFigures(engine);
  const money = formatMoney;
  const totals = {
    totalInitialMargin: money(f.positionInitial + f.openOrderInitial),
    totalMaintMargin: money(f.maint),
    totalWalletBalance: money(f.wallet),
    totalUnrealizedProfit: money(f.unrealized),
    totalMarginBalance: money(f.wallet + f.unrealized),
    totalPositionInitialMargin: money(f.positionInitial),
    totalOpenOrderInitialMargin: money(f.openOrderInitial),
    totalCrossWalletBalance: money(f.wallet),
    totalCrossUnPnl: money(f.unrealized),
    availableBalance: money(f.available),
    maxWithdrawAmount: money(f.available),
  };
  const asset = {
    asset: engine.asset(),
    walletBalance: money(f.wallet),
    unrealizedProfit: money(f.unrealized),
    marginBalance: money(f.wallet + f.unrealized),
    maintMargin: money(f.maint),
    initialMargin: money(f.positionInitial + f.openOrderInitial),
    positionInitialMargin: money(f.positionInitial),
    openOrderInitialMargin: money(f.openOrderInitial),
    crossWalletBalance: money(f.wallet),
    crossUnPnl: money(f.unrealized),
    availableBalance: money(f.available),
    maxWithdrawAmount: money(f.available),
    updateTime: nowMs,
  };
  return { totals, asset };
}

/** Returns GET /fapi/v3/account (single-asset mode): positions with an amount or open orders only. */
export function accountJson(engine: MatchingEngine, nowMs: number): Record<string, unknown> {
  const { totals, asset } = accountTotalsJson(engine, nowMs);
  const positions = engine
    .symbolNames()
    .map((symbol) => engine.position(symbol))
    .filter((p) => p.amountSteps !== 0 || engine.openOrders(p.symbol).length > 0)
    .map((p) => {
      const m = marginFigures(engine, p);
      return {
        symbol: p.symbol,
        positionSide: 'BOTH',
        positionAmt: formatQty(engine.symbol(p.symbol), p.amountSteps),
        unrealizedProfit: formatMoney(p.unrealizedPnl),
        isolatedMargin: '0',
        notional: formatMoney(m.notional),
        isolatedWallet: '0',
        initialMargin: formatMoney(m.positionInitial + m.openOrderInitial),
        maintMargin: formatMoney(m.maint),
        updateTime: p.updateTimeMs,
      };
    });
  return { ...totals, assets: [asset], positions };
}

/** Returns GET /fapi/v2/account (single-asset mode): account flags, and a position entry for every symbol. */
export function accountV2Json(engine: MatchingEngine, nowMs: number): Record<string, unknown> {
  const { totals, asset } = accountTotalsJson(engine, nowMs);
  const positions = engine.symbolNames().map((symbol) => {
    const p = engine.position(symbol);
    const m = marginFigures(engine, p);
    const settings = engine.settings(symbol);
    return {
      symbol,
      initialMargin: formatMoney(m.positionInitial + m.openOrderInitial),
      maintMargin: formatMoney(m.maint),
      unrealizedProfit: formatMoney(p.unrealizedPnl),
      positionInitialMargin: formatMoney(m.positionInitial),
      openOrderInitialMargin: formatMoney(m.openOrderInitial),
      leverage: String(settings.leverage),
      isolated: settings.marginType === 'ISOLATED',
      entryPrice: p.entryPrice,
      maxNotional: MAX_NOTIONAL,
      bidNotional: formatMoney(m.bidNotional),
      askNotional: formatMoney(m.askNotional),
      positionSide: 'BOTH',
      positionAmt: formatQty(engine.symbol(symbol), p.amountSteps),
      updateTime: p.updateTimeMs,
    };
  });
  return {
    feeTier: 0,
    feeBurn: false,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    updateTime: 0,
    multiAssetsMargin: false,
    tradeGroupId: -1,
    ...totals,
    assets: [{ ...asset, marginAvailable: true }],
    positions,
  };
}

/** Returns one GET /fapi/v1/symbolConfig entry. */
export function symbolConfigJson(engine: MatchingEngine, symbol: string): Record<string, unknown> {
  const settings = engine.settings(symbol);
  return { symbol, marginType: settings.marginType, isAutoAddMargin: false, leverage: settings.leverage, maxNotionalValue: MAX_NOTIONAL };
}

/** Returns GET /fapi/v1/accountConfig: one-way mode, single-asset mode, fee tier 0. */
export function accountConfigJson(): Record<string, unknown> {
  return {
    feeTier: 0,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    dualSidePosition: false,
    updateTime: 0,
    multiAssetsMargin: false,
    tradeGroupId: -1,
  };
}

/** Returns one GET /fapi/v1/leverageBracket entry: the one bracket the simulator's margin rules have. */
export function leverageBracketJson(symbol: string): Record<string, unknown> {
  return {
    symbol,
    brackets: [
      {
        bracket: 1,
        initialLeverage: MAX_LEVERAGE,
        notionalCap: Number(MAX_NOTIONAL),
        notionalFloor: 0,
        maintMarginRatio: Number(MAINT_MARGIN_BPS) / 10_000,
        cum: 0,
      },
    ],
  };
}

/**
 * Returns GET /fapi/v1/commissionRate. Retail Price Improvement orders are not simulated; their
 * rate is shown as the maker rate they would pay here.
 */
export function commissionRateJson(engine: MatchingEngine, symbol: string): Record<string, unknown> {
  const rates = engine.feeRates();
  return { symbol, makerCommissionRate: rates.maker, takerCommissionRate: rates.taker, rpiCommissionRate: rates.maker };
}

/** Returns one GET /fapi/v1/income entry. */
export function incomeJson(engine: MatchingEngine, record: IncomeRecord): Record<string, unknown> {
  return {
    symbol: record.symbol,
    incomeType: record.type,
    income: formatMoney(record.amount),
    asset: engine.asset(),
    info: record.type,
    time: record.timeMs,
    tranId: record.tranId,
    tradeId: record.tradeId === null ? '' : String(record.tradeId),
  };
}
