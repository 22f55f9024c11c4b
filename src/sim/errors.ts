/**
 * Binance's error answers: `{"code":-XXXX,"msg":"..."}` with the HTTP status Binance uses.
 * Messages are Binance's own wording (including its spelling), since clients match on them.
 */

/** A request the simulated venue refuses, as Binance would answer it. */
export class BinanceApiError extends Error {
  readonly code = 'SIM_ERR_BINANCE_API';
  readonly binanceCode: number;
  readonly httpStatus: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(binanceCode: number, msg: string, httpStatus = 400, headers: Record<string, string> = {}) {
    super(msg);
    this.binanceCode = binanceCode;
    this.httpStatus = httpStatus;
    this.headers = headers;
  }

  /** Returns the JSON body Binance sends. */
  body(): { code: number; msg: string } {
    return { code: this.binanceCode, msg: this.message };
  }
}

/** Returns the error for one Binance code, with its standard message. */
export const apiErrors = {
  unknown: () => new BinanceApiError(-1000, 'An unknown error occured while processing the request.', 500),
  unknownAfterTimeout: () => new BinanceApiError(-1000, 'Unknown error, please check your request or try again later.', 503),
  tooManyRequests: (limit: number, retryAfterSec: number) =>
    new BinanceApiError(
      -1003,
      `Too many requests; current limit is ${limit} requests per minute. Please use the websocket for live updates to avoid polling the API.`,
      429,
      { 'Retry-After': String(retryAfterSec) },
    ),
  banned: (untilMs: number, retryAfterSec: number) =>
    new BinanceApiError(-1003, `Way too many requests; IP banned until ${untilMs}. Please use the websocket for live updates to avoid bans.`, 418, {
      'Retry-After': String(retryAfterSec),
    }),
  tooManyOrders: (limit: number, interval: string, retryAfterSec: number) =>
    new BinanceApiError(-1015, `Too many new orders; current limit is ${limit} orders per ${interval}.`, 429, { 'Retry-After': String(retryAfterSec) }),
  unsupported: () => new BinanceApiError(-1020, 'This operation is not supported.'),
  timestamp: () => new BinanceApiError(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  signature: () => new BinanceApiError(-1022, 'Signature for this request is not valid.'),
  startAfterEnd: () => new BinanceApiError(-1023, 'Start time is greater than end time.'),
  illegalChars: (param: string, legal: string) => new BinanceApiError(-1100, `Illegal characters found in parameter '${param}'; legal range is '${legal}'.`),
  mandatory: (param: string) => new BinanceApiError(-1102, `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`),
  eitherParam: (a: string, b: string) => new BinanceApiError(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  precision: () => new BinanceApiError(-1111, 'Precision is over the maximum defined for this asset.'),
  invalidTimeInForce: () => new BinanceApiError(-1115, 'Invalid timeInForce.'),
  invalidOrderType: () => new BinanceApiError(-1116, 'Invalid orderType.'),
  invalidSide: () => new BinanceApiError(-1117, 'Invalid side.'),
  invalidInterval: () => new BinanceApiError(-1120, 'Invalid interval.'),
  invalidSymbol: () => new BinanceApiError(-1121, 'Invalid symbol.'),
  invalidListenKey: () => new BinanceApiError(-1125, 'This listenKey does not exist.'),
  illegalValue: (param: string) => new BinanceApiError(-1130, `Data sent for parameter '${param}' is not valid.`),
  lookupIntervalTooBig: () => new BinanceApiError(-1127, 'Lookup interval is too big.'),
  invalidParameterCombination: () => new BinanceApiError(-1128, 'Combination of optional parameters invalid.'),
  recvWindowTooLarge: () => new BinanceApiError(-1131, 'recvWindow must be less than 60000'),
  invalidResponseType: () => new BinanceApiError(-1136, 'Invalid newOrderRespType.'),
  cancelUnknown: () => new BinanceApiError(-2011, 'Unknown order sent.'),
  noSuchOrder: () => new BinanceApiError(-2013, 'Order does not exist.'),
  apiKeyFormat: () => new BinanceApiError(-2014, 'API-key format invalid.', 401),
  apiKeyInvalid: () => new BinanceApiError(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
  marginInsufficient: () => new BinanceApiError(-2019, 'Margin is insufficient.'),
  reduceOnlyRejected: () => new BinanceApiError(-2022, 'ReduceOnly Order is rejected.'),
  qtyNotPositive: () => new BinanceApiError(-4003, 'Quantity less than or equal to zero.'),
  qtyTooLarge: () => new BinanceApiError(-4005, 'Quantity greater than max quantity.'),
  priceTooLow: () => new BinanceApiError(-4013, 'Price less than min price.'),
  priceTick: () => new BinanceApiError(-4014, 'Price not increased by tick size.'),
  priceTooHigh: () => new BinanceApiError(-4016, 'Price more than max price.'),
  invalidDepthLimit: (limit: string) => new BinanceApiError(-4021, `'${limit}' is not valid depth limit.`),
  leverageInvalid: () => new BinanceApiError(-4028, 'Leverage is not valid'),
  cancelBatchTooLarge: () => new BinanceApiError(-4032, 'Exceed maximum cancel order size.'),
  marginTypeUnchanged: () => new BinanceApiError(-4046, 'No need to change margin type.'),
  marginTypeOpenOrders: () => new BinanceApiError(-4047, 'Margin type cannot be changed if there exists open orders.'),
  marginTypePosition: () => new BinanceApiError(-4048, 'Margin type cannot be changed if there exists position.'),
  positionSideUnchanged: () => new BinanceApiError(-4059, 'No need to change position side.'),
  positionSideOpenOrders: () => new BinanceApiError(-4067, 'Position side cannot be changed if there exists open orders.'),
  positionSideQuantity: () => new BinanceApiError(-4068, 'Position side cannot be changed if there exists position.'),
  batchSize: () => new BinanceApiError(-4082, 'Invalid number of batch place orders.'),
  clientOrderIdDuplicated: () => new BinanceApiError(-4116, 'ClientOrderId is duplicated.'),
  minNotional: (minNotional: string) => new BinanceApiError(-4164, `Order's notional must be no smaller than ${minNotional} (unless you choose reduce only).`),
  limitOrderOnly: () => new BinanceApiError(-5025, 'Only limit order is supported.'),
  modifyLimit: () => new BinanceApiError(-5026, 'Exceed maximum modify order limit.'),
  sameOrder: () => new BinanceApiError(-5027, 'No need to modify the order.'),
  modificationMinNotional: (minNotional: string) => new BinanceApiError(-5029, `Order's notional must be no smaller than ${minNotional}`),
  postOnlyRejected: () =>
    new BinanceApiError(
      -5022,
      'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history',
    ),
} as const;
