/** The event log's start-up check: every reason a path cannot hold the log is named, and a good path is created. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventLogProblem } from '../../../src/telemetry/event-log-preflight.ts';

const dir = mkdtempSync(join(tmpdir(), 'mm-preflight-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eventLogProblem', () => {
  it('creates the directories and the file of a good path', () => {
    const path = join(dir, 'a', 'b', 'events.log');
    expect(eventLogProblem(path)).toBeNull();
    expect(existsSync(path)).toBe(true);
  });

  it('names a file standing where a directory must be, and a directory where the file must be', () => {
    writeFileSync(join(dir, 'file'), 'x');
    expect(eventLogProblem(join(dir, 'file', 'sub', 'events.log'))).toBe(`${join(dir, 'file')} is not a directory`);
    expect(eventLogProblem(dir)).toBe(`${dir} is a directory`);
  });

  it('refuses the kernel filesystems before creating anything, symlinks included', () => {
    expect(eventLogProblem('/proc/self/mm/events.log')).toMatch(/under \/proc, a kernel filesystem/);
    expect(eventLogProblem('/sys/fs/mm.log')).toMatch(/under \/sys/);
    // /dev/fd is a symlink into /proc: the real path decides.
    expect(eventLogProblem('/dev/fd/mm/events.log')).toMatch(/kernel filesystem/);
  });

  it('takes a file that opens but cannot be written (/dev/full): a disk failing is the runtime policy, not a configuration error', () => {
    expect(eventLogProblem('/dev/full')).toBeNull();
  });
});
