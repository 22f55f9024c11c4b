/**
 * Every LogQL and TraceQL expression in the dashboards, the datasource links and README.md parses with
 * Grafana's own grammars (the ones its query editors use). Dashboard variables are replaced by
 * sample values first. A parse tree holding an error node (⚠) is a failure.
 */
import { describe, expect, it } from 'vitest';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { DASHBOARDS, dashboardQueries, markdownQueries, provisioningQueries, substituteVariables, type FoundQuery } from './stack-files.ts';

type Parser = typeof logqlParser;

/** Returns the error positions of a parse, empty when the text parses cleanly. */
function parseErrors(parser: Parser, text: string): number[] {
  const errors: number[] = [];
  parser.parse(text).iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
    },
  });
  return errors;
}

function describeErrors(text: string, errors: number[]): string {
  return errors.map((at) => `at ${at}: ${text.slice(0, at)}⚠${text.slice(at)}`).join('\n');
}

const all: FoundQuery[] = [...DASHBOARDS.flatMap((d) => dashboardQueries(d)), ...provisioningQueries(), ...markdownQueries('README.md')];
const logql = all.filter((q) => q.language === 'logql');
const traceql = all.filter((q) => q.language === 'traceql');

describe('query grammars', () => {
  it('the harness rejects broken queries (so a pass means something)', () => {
    expect(parseErrors(logqlParser, '{service_name="mm-runner"} | client_id=')).not.toEqual([]);
    expect(parseErrors(logqlParser, '{service_name="mm-runner" | json')).not.toEqual([]);
    expect(parseErrors(traceqlParser, '{span.mm.order.client_id = }')).not.toEqual([]);
    expect(parseErrors(traceqlParser, '{resource.service.name="mm-runner" &&}')).not.toEqual([]);
    expect(parseErrors(logqlParser, '{service_name="mm-runner"} | trace_id="abc"')).toEqual([]);
    expect(parseErrors(traceqlParser, '{span.mm.order.client_id="abc"}')).toEqual([]);
  });

  it('finds the queries the stack depends on', () => {
    expect(logql.map((q) => q.expr)).toEqual(
      expect.arrayContaining([
        '{service_name="mm-runner", service_instance_id=~"$runner"}',
        '{service_name="mm-runner", service_instance_id=~"$runner"} | client_id="$client_id"',
      ]),
    );
    expect(traceql.map((q) => q.expr)).toEqual(
      expect.arrayContaining(['{span.mm.order.client_id="$client_id" && resource.service.instance.id=~"${runner:regex}"}']),
    );
    expect(logql.some((q) => q.panel === 'tracesToLogsV2' && q.expr.includes('| trace_id="${__trace.traceId}"'))).toBe(true);
    expect(logql.filter((q) => q.refId === 'doc').length).toBeGreaterThanOrEqual(4);
    expect(traceql.filter((q) => q.refId === 'doc').length).toBeGreaterThanOrEqual(2);
  });

  it.each(logql.map((q) => [q.where, q] as const))('LogQL parses: %s', (_where, q) => {
    const text = substituteVariables(q.expr);
    const errors = parseErrors(logqlParser, text);
    expect(errors, describeErrors(text, errors)).toEqual([]);
  });

  it.each(traceql.map((q) => [q.where, q] as const))('TraceQL parses: %s', (_where, q) => {
    const text = substituteVariables(q.expr);
    const errors = parseErrors(traceqlParser, text);
    expect(errors, describeErrors(text, errors)).toEqual([]);
  });
});
