/**
 * The funding rates the venue has settled, per symbol and funding time, whether or not the
 * account held a position (GET /fapi/v1/fundingRate).
 */

/** A contract's mark price, current funding rate and next funding time. */
export interface FundingView {
  readonly markHalfTicks: number;
  /** Rate in units of 1e-8. */
  readonly rateUnits: number;
  readonly nextFundingTimeMs: number;
}

export interface FundingRecord {
  readonly symbol: string;
  readonly timeMs: number;
  /** Rate in units of 1e-8. */
  readonly rateUnits: number;
  readonly markHalfTicks: number;
}

/** Which records GET /fapi/v1/fundingRate asks for (already validated). */
export interface FundingQuery {
  readonly symbol: string | null;
  readonly startTime: number | null;
  readonly endTime: number | null;
  readonly limit: number;
}

export class FundingHistory {
  private readonly records: FundingRecord[] = [];
  private readonly maxKept: number;

  constructor(maxKept = 100_000) {
    this.maxKept = maxKept;
  }

  /** Records one settlement. */
  record(entry: FundingRecord): void {
    this.records.push(entry);
    if (this.records.length > this.maxKept) this.records.shift();
  }

  /**
   * Returns records oldest first: with a start time, the first `limit` from it; otherwise the
   * most recent `limit` (up to the end time when one is given).
   */
  query(query: FundingQuery): FundingRecord[] {
    const matching = this.records.filter(
      (r) =>
        (query.symbol === null || r.symbol === query.symbol) &&
        (query.startTime === null || r.timeMs >= query.startTime) &&
        (query.endTime === null || r.timeMs <= query.endTime),
    );
    return query.startTime !== null ? matching.slice(0, query.limit) : matching.slice(-query.limit);
  }
}
