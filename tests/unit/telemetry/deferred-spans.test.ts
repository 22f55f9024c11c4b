import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { beforeEach, describe, expect, it } from 'vitest';
import { deferredCount, drainDeferred } from '../../../src/telemetry/after-wire.ts';
import { deferredDecisionSpans, PresetIdGenerator } from '../../../src/telemetry/deferred-spans.ts';
import { useTelemetry } from '../../support/test-telemetry.ts';

const spans = new InMemorySpanExporter();
const telemetry = useTelemetry(spans);
beforeEach(() => {
  drainDeferred();
  spans.reset();
});

const epochMs = () => performance.timeOrigin + performance.now();
const hrMs = ([s, ns]: readonly [number, number]) => s * 1000 + ns / 1e6;

describe('deferred decision spans', () => {
  it('hands out the ids at once and builds the span with them, start to end, only after the decision is over and the wire is clear', () => {
    const decisions = telemetry().decisions;
    const startedAt = epochMs();
    const traced = decisions.start(startedAt, { 'mm.symbol': 'BTCUSDT', 'mm.decision.commands': 2 });
    const ids = trace.getSpanContext(traced.context);
    expect(ids?.traceFlags).toBe(1);
    // What the decision's events and requests see: a child span under the same ids.
    const child = context.with(traced.context, () => trace.getTracer('test').startSpan('POST /fapi/v1/order', { kind: SpanKind.CLIENT }));
    child.end();
    expect(child.spanContext().traceId).toBe(ids?.traceId);

    traced.end();
    const endedAt = epochMs();
    expect(spans.getFinishedSpans().map((s) => s.name)).toEqual(['POST /fapi/v1/order']);
    expect(deferredCount()).toBe(1);
    drainDeferred();

    const decision = spans.getFinishedSpans().find((s) => s.name === 'mm.quote.decide');
    expect(decision?.spanContext()).toMatchObject({ traceId: ids?.traceId, spanId: ids?.spanId, traceFlags: 1 });
    expect(decision?.parentSpanContext).toBeUndefined();
    expect(decision?.kind).toBe(SpanKind.INTERNAL);
    expect(decision?.attributes).toEqual({ 'mm.symbol': 'BTCUSDT', 'mm.decision.commands': 2 });
    expect(hrMs(decision!.startTime)).toBeCloseTo(startedAt, 0);
    expect(hrMs(decision!.endTime)).toBeLessThanOrEqual(endedAt + 0.01);
    expect(hrMs(decision!.endTime)).toBeGreaterThanOrEqual(hrMs(decision!.startTime));
    expect(spans.getFinishedSpans().find((s) => s.name === 'POST /fapi/v1/order')?.parentSpanContext?.spanId).toBe(ids?.spanId);
  });

  it('joins the trace of an active parent span, and other spans keep random ids', () => {
    const decisions = telemetry().decisions;
    const parent = trace.getTracer('test').startSpan('reconcile');
    const traced = context.with(trace.setSpan(context.active(), parent), () => decisions.start(epochMs(), { 'mm.symbol': 'ETHUSDT' }));
    const other = trace.getTracer('test').startSpan('other');
    other.end();
    traced.end();
    parent.end();
    drainDeferred();
    const decision = spans.getFinishedSpans().find((s) => s.name === 'mm.quote.decide');
    expect(decision?.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(decision?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(decision?.spanContext().spanId).toBe(trace.getSpanContext(traced.context)?.spanId);
    const all = spans.getFinishedSpans();
    expect(new Set(all.map((s) => s.spanContext().spanId)).size).toBe(all.length);
    expect(other.spanContext().traceId).not.toBe(parent.spanContext().traceId);
  });

  it('with traces off hands out valid ids (log records carry them) and builds nothing', () => {
    const traced = deferredDecisionSpans(new PresetIdGenerator(), null).start(epochMs(), { 'mm.symbol': 'BTCUSDT' });
    const ids = trace.getSpanContext(traced.context);
    expect(ids?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ids?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.isSpanContextValid(ids!)).toBe(true);
    traced.end();
    expect(deferredCount()).toBe(0);
    expect(spans.getFinishedSpans()).toEqual([]);
  });
});
