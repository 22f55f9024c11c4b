/** The configuration as it may be logged: everything but the secrets. */
import type { FieldRecord } from '../core/events.ts';
import type { Config } from './schema.ts';

/**
 * Returns a plain, JSON-able copy of the configuration without `secrets`; only whether
 * credentials were given is kept (as `credentials`: "present" or "absent").
 */
export function redactedConfig(config: Config): FieldRecord {
  const { secrets, strategy, eventLog, obs, sim, symbols, ...rest } = config;
  return {
    ...rest,
    symbols: [...symbols],
    eventLog: { ...eventLog },
    obs: { ...obs },
    sim: { ...sim },
    strategy: { ...strategy },
    credentials: secrets.apiKey !== null && secrets.apiSecret !== null ? 'present' : 'absent',
  };
}
