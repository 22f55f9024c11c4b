/**
 * Values for Grafana's variables as Grafana would set them for the market-maker dashboard:
 * the interval variables from the Prometheus datasource's scrape interval (`timeInterval`) and
 * the dashboard's time range, and the dashboard's query variables from real label values.
 */
import { provisionedDatasources, readDashboard, SAMPLE_VARIABLES } from '../stack/stack-files.ts';

/** Returns a Prometheus duration ("5s", "1m", "30m") in seconds. */
export function durationSeconds(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (m === null) throw new Error(`not a duration: ${text}`);
  const scale: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
  return Number(m[1]) * (scale[m[2] ?? 's'] ?? 1);
}

/**
 * Returns Grafana's interval variables: `$__interval` at its floor (the datasource's scrape
 * interval: the dashboard's short range hits it), `$__rate_interval` =
 * max($__interval + scrape interval, 4 x scrape interval), `$__range` from the dashboard's time.
 */
export function intervalVariables(dashboard = 'market-maker.json'): Record<string, string> {
  const prometheus = provisionedDatasources().find((d) => d.type === 'prometheus');
  const scrape = durationSeconds(String(prometheus?.jsonData?.timeInterval ?? '15s'));
  const time = readDashboard(dashboard).time as { from?: string } | undefined;
  const from = /^now-(\d+[smhd])$/.exec(time?.from ?? 'now-30m')?.[1] ?? '30m';
  const interval = scrape;
  return {
    __interval: `${interval}s`,
    __rate_interval: `${Math.max(interval + scrape, 4 * scrape)}s`,
    __range: from,
  };
}

/** Returns a complete variable map: sample values overridden by the given real ones. */
export function grafanaVariables(real: Readonly<Record<string, string>>, dashboard = 'market-maker.json'): Record<string, string> {
  return { ...SAMPLE_VARIABLES, ...intervalVariables(dashboard), ...real };
}
