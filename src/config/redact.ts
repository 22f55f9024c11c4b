/** The configuration as it may be logged: everything but the secrets. */
import type { FieldRecord } from '../core/events.ts';
import { maskUrlCredentials } from '../telemetry/masking.ts';
import type { Config } from './schema.ts';

/**
 * Returns a plain, JSON-able copy of the configuration without `secrets` and with any
 * credentials in the REST, WebSocket and WebSocket API URLs masked; only whether API credentials were given
 * is kept (as `credentials`: "present" or "absent").
 */
export function redactedConfig(config: Config): FieldRecord {
  const { secrets, strategy, eventLog, obs, sim, symbols, restUrl, wsUrl, wsApiUrl, ...rest } = config;
  return {
    ...rest,
    restUrl: restUrl === null ? null : maskUrlCredentials(restUrl),
    wsUrl: wsUrl === null ? null : maskUrlCredentials(wsUrl),
    wsApiUrl: wsApiUrl === null ? null : maskUrlCredentials(wsApiUrl),
    symbols: [...symbols],
    eventLog: { ...eventLog },
    obs: { ...obs },
    sim: { ...sim },
    strategy: { ...strategy },
    credentials: secrets.apiKey !== null && secrets.apiSecret !== null ? 'present' : 'absent',
  };
}

/** Returns the secret values of the configuration (API key and secret given), for the maskers of every sink. */
export function knownSecrets(config: Config): string[] {
  return Object.values(config.secrets).filter((secret): secret is string => secret !== null && secret.length > 0);
}
