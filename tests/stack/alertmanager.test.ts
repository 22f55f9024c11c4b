/**
 * Alertmanager's configuration, checked with Debian's amtool 0.25: the committed file and what
 * render.sh makes of it (no receiver set, every receiver set, bad values), the receiver every
 * alert we ship reaches, and the annotations a notification is built from. The live path
 * (runner -> Prometheus -> Alertmanager -> receivers) is tests/backends.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  ALERTMANAGER_DIR,
  ALERT_VARIABLES,
  RenderError,
  amtool,
  busyboxAvailable,
  renderAlertmanagerConfig,
  type AlertEnv,
} from '../support/alertmanager-config.ts';
import { DASHBOARDS, RULES_DIR, RULE_FILES, dashboardPanels, readDashboard, readYaml } from './stack-files.ts';

/** Every receiver set, with values that need quoting in YAML. */
const ALL_SET: Required<AlertEnv> = {
  ALERT_GRAFANA_URL: 'https://grafana.desk.example:3000',
  ALERT_WEBHOOK_URL: 'http://oncall.desk.example/hooks/mm?token=a&b=c',
  ALERT_SLACK_PAGE_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/PAGES',
  ALERT_SLACK_WARNING_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/WARNINGS',
  ALERT_TELEGRAM_BOT_TOKEN: "123456:AA-it's#a:token",
  ALERT_TELEGRAM_CHAT_ID: '-1001234567890',
  ALERT_TELEGRAM_API_URL: 'https://telegram-proxy.desk.example',
};

interface Rule {
  readonly alert?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

function shippedAlerts(): Rule[] {
  return RULE_FILES.flatMap((f) => readYaml<{ groups: Array<{ rules: Rule[] }> }>(`${RULES_DIR}/${f}`).groups.flatMap((g) => g.rules)).filter(
    (r) => r.alert !== undefined,
  );
}

function integrations(receiver: Record<string, unknown>): string[] {
  return Object.keys(receiver)
    .filter((k) => k.endsWith('_configs'))
    .sort();
}

describe('monitoring/alertmanager', () => {
  it('the committed file is valid as it is, every receiver without an integration', async () => {
    const path = join(ALERTMANAGER_DIR, 'alertmanager.yml');
    const check = await amtool('check-config', path);
    expect(check.output).toContain('SUCCESS');
    expect(check.code, check.output).toBe(0);
    const config = parseYaml(readFileSync(path, 'utf8')) as { receivers: Array<Record<string, unknown>> };
    expect(config.receivers.map((r) => r.name).sort()).toEqual(['mm-page', 'mm-warning']);
    for (const receiver of config.receivers) expect(integrations(receiver)).toEqual([]);
  });

  it('with no receiver configured, renders a valid configuration in which every receiver is off', async () => {
    const rendered = await renderAlertmanagerConfig({});
    const check = await amtool('check-config', rendered.configPath);
    expect(check.code, check.output).toBe(0);
    expect(check.output).toMatch(/1 templates/);
    for (const receiver of rendered.config.receivers) expect(integrations(receiver), receiver.name).toEqual([]);
    const settings = readFileSync(rendered.configPath, 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'));
    expect(settings.filter((line) => line.includes('${'))).toEqual([]);
    const template = readFileSync(join(rendered.dir, 'templates', 'mm-runner.tmpl'), 'utf8');
    expect(template).toContain('{{ define "mm.grafana" }}http://localhost:3000{{ end }}');
  });

  it('with every receiver configured, pages reach Telegram, Slack pages and the webhook; warnings Slack warnings and the webhook', async () => {
    const rendered = await renderAlertmanagerConfig(ALL_SET);
    const check = await amtool('check-config', rendered.configPath);
    expect(check.code, check.output).toBe(0);
    const byName = new Map(rendered.config.receivers.map((r) => [r.name, r as Record<string, unknown>]));
    const page = byName.get('mm-page') ?? {};
    const warning = byName.get('mm-warning') ?? {};
    expect(integrations(page)).toEqual(['slack_configs', 'telegram_configs', 'webhook_configs']);
    expect(integrations(warning)).toEqual(['slack_configs', 'webhook_configs']);
    // The values come through exactly, however they are quoted.
    expect(page.telegram_configs).toEqual([
      expect.objectContaining({
        bot_token: ALL_SET.ALERT_TELEGRAM_BOT_TOKEN,
        chat_id: -1001234567890,
        api_url: ALL_SET.ALERT_TELEGRAM_API_URL,
        send_resolved: true,
      }),
    ]);
    expect(page.slack_configs).toEqual([expect.objectContaining({ api_url: ALL_SET.ALERT_SLACK_PAGE_WEBHOOK_URL, send_resolved: true })]);
    expect(warning.slack_configs).toEqual([expect.objectContaining({ api_url: ALL_SET.ALERT_SLACK_WARNING_WEBHOOK_URL, send_resolved: true })]);
    for (const r of [page, warning]) expect(r.webhook_configs).toEqual([{ url: ALL_SET.ALERT_WEBHOOK_URL, send_resolved: true }]);
    expect(rendered.config.templates).toEqual([join(rendered.dir, 'templates', '*.tmpl')]);
    const template = readFileSync(join(rendered.dir, 'templates', 'mm-runner.tmpl'), 'utf8');
    expect(template).toContain(`{{ define "mm.grafana" }}${ALL_SET.ALERT_GRAFANA_URL}{{ end }}`);
  });

  it('a receiver needs all of its variables: a Telegram token without a chat id stays off', async () => {
    const rendered = await renderAlertmanagerConfig({ ALERT_TELEGRAM_BOT_TOKEN: ALL_SET.ALERT_TELEGRAM_BOT_TOKEN });
    for (const receiver of rendered.config.receivers) expect(integrations(receiver), receiver.name).toEqual([]);
  });

  it.each([
    ['ALERT_WEBHOOK_URL', 'ftp://oncall.desk.example/hook'],
    ['ALERT_SLACK_PAGE_WEBHOOK_URL', 'hooks.slack.com/services/T000/B000/SECRETPART'],
    ['ALERT_TELEGRAM_CHAT_ID', '@my_desk_SECRETPART'],
    ['ALERT_TELEGRAM_CHAT_ID', '12a'],
    ['ALERT_TELEGRAM_BOT_TOKEN', '123:SECRETPART with a space'],
  ] as const)('refuses %s=%s (exit 2, names the variable, never prints the value)', async (name, value) => {
    const failure = await renderAlertmanagerConfig({ [name]: value }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(RenderError);
    const e = failure as RenderError;
    expect(e.exitCode).toBe(2);
    expect(e.stderr).toContain(name);
    expect(e.stderr).not.toContain(value);
    expect(e.stderr).not.toContain('SECRETPART');
  });

  it.skipIf(!busyboxAvailable())('renders the same under busybox sh and awk, as in the prom/alertmanager image', async () => {
    const withDash = await renderAlertmanagerConfig(ALL_SET, 'sh');
    const withBusybox = await renderAlertmanagerConfig(ALL_SET, 'busybox');
    const text = (r: { dir: string }, file: string) => readFileSync(join(r.dir, file), 'utf8').replaceAll(r.dir, '<out>');
    expect(text(withBusybox, 'alertmanager.yml')).toBe(text(withDash, 'alertmanager.yml'));
    expect(text(withBusybox, 'templates/mm-runner.tmpl')).toBe(text(withDash, 'templates/mm-runner.tmpl'));
  });

  it('every alert we ship has a severity, and amtool routes each to the receiver of its severity', async () => {
    const rendered = await renderAlertmanagerConfig(ALL_SET);
    const expected: Record<string, string> = { critical: 'mm-page', warning: 'mm-warning' };
    const alerts = shippedAlerts();
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    const wrong: string[] = [];
    for (const rule of alerts) {
      const severity = rule.labels?.severity ?? '(none)';
      const receiver = expected[severity];
      if (receiver === undefined) {
        wrong.push(`${rule.alert}: severity ${severity}`);
        continue;
      }
      const routed = await amtool(
        'config',
        'routes',
        'test',
        `--config.file=${rendered.configPath}`,
        `alertname=${rule.alert}`,
        `severity=${severity}`,
        'runner=mm-runner',
        'instance=runner:9199',
        'symbol=BTCUSDT',
      );
      if (routed.code !== 0 || routed.output.split('\n')[0]?.trim() !== receiver) wrong.push(`${rule.alert} (${severity}) -> ${routed.output.trim()}`);
    }
    expect(wrong).toEqual([]);
    // Both severities are in use: pages and warnings really go to different receivers.
    expect(new Set(alerts.map((r) => r.labels?.severity))).toEqual(new Set(['critical', 'warning']));
  });

  it('the routing check notices a wrong receiver', async () => {
    const rendered = await renderAlertmanagerConfig({});
    const routed = await amtool('config', 'routes', 'test', `--config.file=${rendered.configPath}`, '--verify.receivers=mm-page', 'severity=warning');
    expect(routed.code).not.toBe(0);
  });

  it('notifications are grouped per runner; inhibition rules name alerts that exist and stay within one runner', () => {
    const config = parseYaml(readFileSync(join(ALERTMANAGER_DIR, 'alertmanager.yml'), 'utf8')) as {
      route: { group_by: string[] };
      inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
    };
    // One notification per alert, runner and symbol: two runners never share one.
    expect(config.route.group_by).toEqual(['alertname', 'runner', 'instance', 'symbol']);
    const names = new Set(shippedAlerts().map((r) => r.alert));
    const named = config.inhibit_rules
      .flatMap((r) => [...r.source_matchers, ...r.target_matchers])
      .flatMap((m) => [...m.matchAll(/alertname!?="([^"]+)"/g)].map((x) => x[1]));
    expect(named.length).toBeGreaterThanOrEqual(3);
    for (const name of named) expect(names.has(name), name).toBe(true);
    // Every inhibition stays within one runner: its name and its scrape target.
    for (const rule of config.inhibit_rules) expect(rule.equal).toEqual(expect.arrayContaining(['runner', 'instance']));
  });

  it('every alert says what, why, and where to look: summary, description and a dashboard panel that exists', () => {
    const panels = new Set(DASHBOARDS.flatMap((d) => dashboardPanels(readDashboard(d)).map((p) => String(p.id))));
    const problems: string[] = [];
    for (const rule of shippedAlerts()) {
      const a = rule.annotations ?? {};
      for (const key of ['summary', 'description', 'dashboard']) if (!a[key]) problems.push(`${rule.alert}: no ${key}`);
      const dashboard = a.dashboard ?? '';
      if (!dashboard.startsWith('/d/mm-runner/')) problems.push(`${rule.alert}: dashboard ${dashboard}`);
      const panel = /[?&]viewPanel=(\d+)/.exec(dashboard)?.[1];
      if (panel !== undefined && !panels.has(panel)) problems.push(`${rule.alert}: no panel ${panel}`);
      if (!(a.summary ?? '').includes('$labels.runner')) problems.push(`${rule.alert}: summary does not name the runner`);
      if (!dashboard.includes('var-runner={{ $labels.runner }}')) problems.push(`${rule.alert}: dashboard link does not select the runner`);
    }
    expect(problems).toEqual([]);
  });

  it('no committed file of the folder holds a secret; every variable it reads is documented in .env.example', () => {
    const committed = ['alertmanager.yml', 'render.sh', 'templates/mm-runner.tmpl'].map((f) => readFileSync(join(ALERTMANAGER_DIR, f), 'utf8')).join('\n');
    expect(committed).not.toMatch(/hooks\.slack\.com\/services\/[A-Z0-9]/);
    expect(committed).not.toMatch(/\d{6,}:[A-Za-z0-9_-]{20,}/); // a Telegram bot token
    const envExample = readFileSync(join(ALERTMANAGER_DIR, '..', '..', '.env.example'), 'utf8');
    for (const name of ALERT_VARIABLES) {
      expect(committed, name).toContain(name);
      expect(envExample, name).toMatch(new RegExp(`^${name}=`, 'm'));
    }
  });
});
