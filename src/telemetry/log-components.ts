/**
 * The logger name (`name` on stdout, specification 002: "mm.execution") of each domain event: the
 * component that raised it. Lines of the process itself (event-log faults, listener errors) are
 * mm.telemetry's.
 */
import type { EventName } from '../core/events.ts';

export type LogComponent = 'mm.execution' | 'mm.quoting' | 'mm.risk' | 'mm.portfolio' | 'mm.exchange' | 'mm.runner' | 'mm.telemetry';

const COMPONENT: Readonly<Record<EventName, LogComponent>> = {
  runner_start: 'mm.runner',
  runner_stop_signal: 'mm.runner',
  runner_stopped: 'mm.runner',
  runner_snapshot: 'mm.runner',
  another_instance: 'mm.runner',
  reconcile_done: 'mm.runner',
  ws_connected: 'mm.exchange',
  ws_disconnected: 'mm.exchange',
  listen_key_event: 'mm.exchange',
  exchange_error: 'mm.exchange',
  malformed_message: 'mm.exchange',
  rate_limited: 'mm.exchange',
  order_transport_changed: 'mm.exchange',
  time_sync: 'mm.exchange',
  quote_decided: 'mm.quoting',
  quote_suppressed: 'mm.quoting',
  quote_resumed: 'mm.quoting',
  grinding: 'mm.quoting',
  order_submit: 'mm.execution',
  order_submit_result: 'mm.execution',
  order_placed: 'mm.execution',
  order_placement_error: 'mm.execution',
  order_rejected: 'mm.execution',
  order_ambiguous: 'mm.execution',
  order_settled: 'mm.execution',
  order_update: 'mm.execution',
  order_filled: 'mm.execution',
  order_cancel: 'mm.execution',
  order_cancel_result: 'mm.execution',
  cancel_all_done: 'mm.execution',
  countdown_cancel_all: 'mm.execution',
  reduce_only_force: 'mm.risk',
  reduce_only_force_error: 'mm.risk',
  risk_state_changed: 'mm.risk',
  risk_freeze: 'mm.risk',
  freeze_triggered: 'mm.risk',
  freeze_cleared: 'mm.risk',
  margin_call: 'mm.risk',
  position_update: 'mm.portfolio',
  funding_update: 'mm.portfolio',
};

/** Returns the logger name of an event. */
export function eventComponent(event: EventName): LogComponent {
  return COMPONENT[event];
}
