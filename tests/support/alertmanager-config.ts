/**
 * Renders the committed Alertmanager configuration (monitoring/alertmanager) with the very script
 * the container runs at start (render.sh), for the static checks and the back-end suite.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from './runner-process.ts';

const run = promisify(execFile);

export const ALERTMANAGER_DIR = join(REPO_ROOT, 'monitoring', 'alertmanager');
export const AMTOOL_BIN = process.env.AMTOOL_BIN ?? '/usr/bin/amtool';
/** Debian's busybox: the same sh and awk applets as the prom/alertmanager image. */
export const BUSYBOX_BIN = '/usr/bin/busybox';

/** Every variable render.sh reads. */
export const ALERT_VARIABLES = [
  'ALERT_GRAFANA_URL',
  'ALERT_WEBHOOK_URL',
  'ALERT_SLACK_PAGE_WEBHOOK_URL',
  'ALERT_SLACK_WARNING_WEBHOOK_URL',
  'ALERT_TELEGRAM_BOT_TOKEN',
  'ALERT_TELEGRAM_CHAT_ID',
  'ALERT_TELEGRAM_API_URL',
] as const;

export type AlertEnv = Partial<Record<(typeof ALERT_VARIABLES)[number], string>>;

export interface Rendered {
  /** Folder holding alertmanager.yml and templates/. */
  readonly dir: string;
  readonly configPath: string;
  readonly config: AlertmanagerConfig;
}

export interface AlertmanagerConfig {
  readonly route: { readonly receiver: string; readonly routes?: ReadonlyArray<{ readonly receiver: string; readonly matchers?: readonly string[] }> };
  readonly receivers: ReadonlyArray<{ readonly name: string; readonly [integration: string]: unknown }>;
  readonly inhibit_rules?: ReadonlyArray<{
    readonly source_matchers: readonly string[];
    readonly target_matchers: readonly string[];
    readonly equal: readonly string[];
  }>;
  readonly templates: readonly string[];
}

export class RenderError extends Error {
  readonly exitCode: number;
  readonly stderr: string;

  constructor(exitCode: number, stderr: string) {
    super(`render.sh exited ${exitCode}: ${stderr}`);
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/**
 * Runs render.sh with exactly `env` (and PATH) into a new temporary folder; with `shell`
 * "busybox" through busybox's sh and awk. Rejects with a RenderError when the script fails.
 */
export async function renderAlertmanagerConfig(env: AlertEnv, shell: 'sh' | 'busybox' = 'sh'): Promise<Rendered> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-am-render-'));
  const args = [join(ALERTMANAGER_DIR, 'render.sh'), ALERTMANAGER_DIR, dir];
  let command = '/bin/sh';
  let path = process.env.PATH ?? '/usr/bin:/bin';
  if (shell === 'busybox') {
    // Only busybox's applets on PATH, as in the image (its shell runs applets first anyway).
    const applets = mkdtempSync(join(tmpdir(), 'mm-busybox-'));
    await run(BUSYBOX_BIN, ['--install', '-s', applets]);
    command = join(applets, 'sh');
    path = applets;
  }
  try {
    await run(command, args, { env: { PATH: path, ...env }, timeout: 20_000 });
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    throw new RenderError(typeof e.code === 'number' ? e.code : 1, e.stderr ?? '');
  }
  const configPath = join(dir, 'alertmanager.yml');
  return { dir, configPath, config: parseYaml(readFileSync(configPath, 'utf8')) as AlertmanagerConfig };
}

/** Runs amtool; resolves with its exit code and output (never rejects on a non-zero exit). */
export async function amtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(AMTOOL_BIN, args, { timeout: 30_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Returns true when busybox is installed (CI installs it with the README's test command). */
export function busyboxAvailable(): boolean {
  return existsSync(BUSYBOX_BIN);
}
