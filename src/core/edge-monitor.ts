/**
 * Rolling fill edge and the freeze it triggers. A fill's edge is its signed distance from the
 * mid at fill time in bps (positive when we bought below or sold above mid) minus its fee in
 * bps; the rolling edge averages the last N fills.
 */
import type { Ticks } from './instrument.ts';
import { sideSign, type Side } from './model.ts';

/** Returns one fill's edge in bps, net of its fee. */
export function fillEdgeBps(side: Side, fillPriceTicks: Ticks, midTicks: number, feeBps: number): number {
  if (midTicks <= 0) return -feeBps;
  return (sideSign(side) * (midTicks - fillPriceTicks) * 10_000) / midTicks - feeBps;
}

export type FreezeChange = { readonly kind: 'triggered'; readonly edgeBps: number; readonly untilMs: number } | { readonly kind: 'cleared' };

/**
 * Freezes quoting for a cooldown when, after at least one new fill and with a full window, the
 * rolling edge is below the minimum. Fills recorded while frozen do not re-trigger on their own
 * after the cooldown: only fills after the clear count as new.
 */
export class EdgeMonitor {
  private readonly windowFills: number;
  private readonly minEdgeBps: number;
  private readonly cooldownMs: number;
  private readonly edges: number[] = [];
  private newFills = 0;
  private frozenUntilMs: number | null = null;

  constructor(windowFills: number, minEdgeBps: number, cooldownMs: number) {
    this.windowFills = windowFills;
    this.minEdgeBps = minEdgeBps;
    this.cooldownMs = cooldownMs;
  }

  /** Adds one fill's edge to the window. */
  record(edgeBps: number): void {
    this.edges.push(edgeBps);
    if (this.edges.length > this.windowFills) this.edges.shift();
    this.newFills += 1;
  }

  /** Returns the average edge of the window, or null before any fill. */
  averageBps(): number | null {
    if (this.edges.length === 0) return null;
    return this.edges.reduce((a, b) => a + b, 0) / this.edges.length;
  }

  /** Returns true while a freeze lasts. */
  isFrozen(): boolean {
    return this.frozenUntilMs !== null;
  }

  /** Clears an expired freeze or triggers a new one; returns what changed, in order. */
  update(nowMs: number): FreezeChange[] {
    const changes: FreezeChange[] = [];
    if (this.frozenUntilMs !== null) {
      if (nowMs < this.frozenUntilMs) {
        this.newFills = 0;
        return changes;
      }
      this.frozenUntilMs = null;
      this.newFills = 0;
      changes.push({ kind: 'cleared' });
      return changes;
    }
    const average = this.averageBps();
    if (this.newFills > 0 && this.edges.length >= this.windowFills && average !== null && average < this.minEdgeBps) {
      this.frozenUntilMs = nowMs + this.cooldownMs;
      changes.push({ kind: 'triggered', edgeBps: average, untilMs: this.frozenUntilMs });
    }
    this.newFills = 0;
    return changes;
  }
}
