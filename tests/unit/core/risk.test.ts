import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskMachine, targetRiskState, type RiskLimits, type RiskState } from '../../../src/core/risk.ts';

const limits: RiskLimits = { softPositionNotional: 5_000n, hardPositionNotional: 10_000n, maxWorstCaseNotional: 8_000n };
const inputsArb = fc.record({
  positionNotionalAbs: fc.bigInt({ min: 0n, max: 15_000n }),
  worstLongNotional: fc.bigInt({ min: -15_000n, max: 15_000n }),
  worstShortNotional: fc.bigInt({ min: -15_000n, max: 15_000n }),
});

describe('RiskMachine', () => {
  it('never skips a state and ends where the rules say, for random paths', () => {
    fc.assert(
      fc.property(fc.array(inputsArb, { minLength: 1, maxLength: 80 }), (path) => {
        const machine = new RiskMachine(limits);
        let state: RiskState = 0;
        for (const inputs of path) {
          const expected = targetRiskState(state, inputs, limits);
          const steps = machine.evaluate(inputs);
          for (const step of steps) {
            expect(step.from).toBe(state);
            expect(Math.abs(step.to - step.from)).toBe(1);
            expect(step.reason.length).toBeGreaterThan(0);
            state = step.to;
          }
          expect(machine.state).toBe(expected);
          expect(state).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('follows the rules: hard -> 2, stays 2 until under soft, worst case over its limit -> 1', () => {
    const at = (pos: bigint, long = 0n, short = 0n) => ({ positionNotionalAbs: pos, worstLongNotional: long, worstShortNotional: short });
    const m = new RiskMachine(limits);
    expect(m.evaluate(at(10_000n)).map((s) => [s.from, s.to])).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(m.evaluate(at(6_000n))).toEqual([]);
    expect(m.state).toBe(2);
    expect(m.evaluate(at(4_999n, 9_000n)).map((s) => [s.from, s.to])).toEqual([[2, 1]]);
    expect(m.evaluate(at(4_999n)).map((s) => [s.from, s.to, s.reason])).toEqual([[1, 0, 'within_limits']]);
    expect(m.evaluate(at(0n, 0n, 8_001n)).map((s) => s.reason)).toEqual(['worst_case_short_over_limit']);
    expect(m.evaluate(at(0n, 0n, 0n)).map((s) => [s.from, s.to])).toEqual([[1, 0]]);
    m.evaluate(at(12_000n));
    expect(m.evaluate(at(0n)).map((s) => [s.from, s.to])).toEqual([
      [2, 1],
      [1, 0],
    ]);
  });
});
