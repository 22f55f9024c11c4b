/**
 * What the operator reads on stdout when the event log deals with a fault on its own (a failed
 * rotation, a file deleted or replaced under it, a torn last line). These are operational log
 * lines, like `event_log_write_failed`, not domain events: they are about the audit trail itself,
 * which cannot be relied on to record its own faults.
 */
import type { EventLogNotice } from './event-log-file.ts';
import type { ComponentLogger } from './stdout-logger.ts';

/** Logs one event-log notice on `log`. */
export function logEventLogNotice(log: ComponentLogger, notice: EventLogNotice): void {
  switch (notice.kind) {
    case 'rotation_failed':
      log.error('event_log_rotation_failed', {
        path: notice.path,
        system_code: notice.error.systemCode,
        error: notice.error.message,
        policy: 'retried every second; lines go on into the current file up to twice its size limit, then quoting is suppressed',
      });
      return;
    case 'rotation_recovered':
      log.warn('event_log_rotation_recovered', { path: notice.path, failed_attempts: notice.failedAttempts });
      return;
    case 'file_reopened':
      log.warn('event_log_reopened', { path: notice.path, reason: notice.reason, lines_rewritten: notice.linesRewritten });
      return;
    case 'torn_line_repaired':
      log.warn('event_log_torn_line_repaired', { path: notice.path, repair: 'a newline ends the torn line before appending' });
      return;
  }
}
