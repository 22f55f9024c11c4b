/** Venue enums mapped with exhaustive switches; an unknown value is a WireFormatError. */
import type { AccountUpdateReason, ExecutionType, MarginType, OrderStatus, OrderType, Side, TimeInForce } from '../../core/model.ts';
import { WireFormatError } from '../errors.ts';

function unknown(path: string, value: string): never {
  throw new WireFormatError(path, `unsupported value "${value.length > 30 ? value.slice(0, 30) : value}"`);
}

/** Returns the side. */
export function toSide(value: string, path: string): Side {
  switch (value) {
    case 'BUY':
    case 'SELL':
      return value;
    default:
      return unknown(path, value);
  }
}

/** Returns the order type; stop/trailing/liquidation types are not traded by this adapter. */
export function toOrderType(value: string, path: string): OrderType {
  switch (value) {
    case 'LIMIT':
    case 'MARKET':
      return value;
    default:
      return unknown(path, value);
  }
}

/** Returns the time in force (GTD is not used by this adapter). */
export function toTimeInForce(value: string, path: string): TimeInForce {
  switch (value) {
    case 'GTC':
    case 'IOC':
    case 'FOK':
    case 'GTX':
      return value;
    default:
      return unknown(path, value);
  }
}

/** Returns the order status. */
export function toOrderStatus(value: string, path: string): OrderStatus {
  switch (value) {
    case 'NEW':
    case 'PARTIALLY_FILLED':
    case 'FILLED':
    case 'CANCELED':
    case 'REJECTED':
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      return value;
    default:
      return unknown(path, value);
  }
}

/** Returns the execution type of an ORDER_TRADE_UPDATE. */
export function toExecutionType(value: string, path: string): ExecutionType {
  switch (value) {
    case 'NEW':
    case 'CANCELED':
    case 'CALCULATED':
    case 'EXPIRED':
    case 'TRADE':
    case 'AMENDMENT':
      return value;
    default:
      return unknown(path, value);
  }
}

/** Returns the reason of an ACCOUNT_UPDATE (`a.m`). */
export function toAccountUpdateReason(value: string, path: string): AccountUpdateReason {
  switch (value) {
    case 'DEPOSIT':
    case 'WITHDRAW':
    case 'ORDER':
    case 'FUNDING_FEE':
    case 'WITHDRAW_REJECT':
    case 'ADJUSTMENT':
    case 'INSURANCE_CLEAR':
    case 'ADMIN_DEPOSIT':
    case 'ADMIN_WITHDRAW':
    case 'MARGIN_TRANSFER':
    case 'MARGIN_TYPE_CHANGE':
    case 'ASSET_TRANSFER':
    case 'OPTIONS_PREMIUM_FEE':
    case 'OPTIONS_SETTLE_PROFIT':
    case 'AUTO_EXCHANGE':
    case 'COIN_SWAP_DEPOSIT':
    case 'COIN_SWAP_WITHDRAW':
      return value;
    default:
      return unknown(path, value);
  }
}

export type PositionSide = 'BOTH' | 'LONG' | 'SHORT';

/** Returns the position side. */
export function toPositionSide(value: string, path: string): PositionSide {
  switch (value) {
    case 'BOTH':
    case 'LONG':
    case 'SHORT':
      return value;
    default:
      return unknown(path, value);
  }
}

/** Returns the margin type as the venue writes it in REST (`CROSSED`/`ISOLATED`) or streams (`cross`/`isolated`). */
export function toMarginType(value: string, path: string): MarginType {
  switch (value) {
    case 'CROSSED':
    case 'cross':
      return 'CROSSED';
    case 'ISOLATED':
    case 'isolated':
      return 'ISOLATED';
    default:
      return unknown(path, value);
  }
}
