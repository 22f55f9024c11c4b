/**
 * promtool (Debian's, Prometheus 2.42) checks the Prometheus configs, the alert rules and their
 * unit tests, and every alert has unit tests that both fire and stay quiet. The configs are kept
 * valid for 2.42 and 3.x alike; only their rule_files glob (a container path) is pointed at the
 * repository for the check.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { PROM_TESTS, RULES_DIR, RULE_FILES, alertRules, readText, repoPath } from './stack-files.ts';

const PROMTOOL = '/usr/bin/promtool';
const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'mm-promtool-'));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(PROMTOOL, args, { timeout: 30_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Writes a copy of a Prometheus config whose rule_files point at the repository's rules. */
function withLocalRules(configPath: string): string {
  const config = parseYaml(readText(configPath)) as { rule_files?: string[] };
  expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
  config.rule_files = [repoPath(RULES_DIR, '*.yml')];
  const out = join(tmp, configPath.replace(/\W+/g, '_'));
  writeFileSync(out, stringifyYaml(config));
  return out;
}

describe('promtool', () => {
  it.each(['monitoring/prometheus/prometheus.yml', 'monitoring/prometheus/prometheus.host-runner.yml'])('check config %s', async (path) => {
    const result = await promtool('check', 'config', withLocalRules(path));
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
  });

  it('check rules', async () => {
    const result = await promtool('check', 'rules', ...RULE_FILES.map((f) => repoPath(RULES_DIR, f)));
    expect(result.code, result.output).toBe(0);
  });

  it('test rules', async () => {
    const result = await promtool('test', 'rules', repoPath(PROM_TESTS));
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
  });

  it('the harness notices a broken rule and a failing unit test', async () => {
    const badRules = join(tmp, 'bad-rules.yml');
    writeFileSync(badRules, 'groups:\n  - name: bad\n    rules:\n      - alert: Bad\n        expr: sum(rate(mm_orders_placed_total[5m])\n');
    expect((await promtool('check', 'rules', badRules)).code).not.toBe(0);

    const rules = join(tmp, 'rules.yml');
    writeFileSync(rules, 'groups:\n  - name: g\n    rules:\n      - alert: Always\n        expr: vector(1)\n');
    const tests = join(tmp, 'tests.yml');
    writeFileSync(
      tests,
      `rule_files: [${JSON.stringify(rules)}]\ntests:\n  - interval: 1m\n    input_series: []\n    alert_rule_test:\n      - eval_time: 1m\n        alertname: Always\n        exp_alerts: []\n`,
    );
    expect((await promtool('test', 'rules', tests)).code).not.toBe(0);
  });

  it('every alert has unit tests where it fires and where it does not', () => {
    interface PromTest {
      readonly alert_rule_test?: ReadonlyArray<{ readonly alertname: string; readonly exp_alerts?: readonly unknown[] }>;
    }
    const doc = parseYaml(readText(PROM_TESTS)) as { rule_files: string[]; tests: PromTest[] };
    expect(doc.rule_files.map((f) => f.replace(/^\.\.\/rules\//, ''))).toEqual([...RULE_FILES]);
    const fires = new Set<string>();
    const quiet = new Set<string>();
    for (const test of doc.tests) {
      for (const check of test.alert_rule_test ?? []) (check.exp_alerts && check.exp_alerts.length > 0 ? fires : quiet).add(check.alertname);
    }
    const alerts = alertRules().map((r) => r.name);
    expect(alerts.length).toBeGreaterThanOrEqual(8);
    for (const alert of alerts) {
      expect(fires.has(alert), `${alert} has no firing test`).toBe(true);
      expect(quiet.has(alert), `${alert} has no not-firing test`).toBe(true);
    }
  });

  it('covers the alerts the runbook names', () => {
    const expected = [
      'MMQuotingFrozen',
      'MMOrderLatencyP99High',
      'MMNoOrdersWhileReady',
      'MMHardReduce',
      'MMStreamDisconnected',
      'MMReduceOnlyForceBurst',
      'MMListenKeyRenewalFailing',
      'MMTelemetryDropped',
    ];
    expect(alertRules().map((r) => r.name)).toEqual(expect.arrayContaining(expected));
  });
});
