// Recorded histories of contracts must replay on today's workflow code: a change that would
// break contracts already running fails here. Histories are re-recorded (RECORD_HISTORIES=1) only
// together with a deliberate, versioned (patched) workflow change.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { HISTORIES_DIR, recordedWorkflowIds } from './support/histories';

Runtime.install({ logger: new DefaultLogger('WARN') });

describe('replay of recorded contract histories', () => {
  it('replays every history without nondeterminism', async () => {
    const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const ids = recordedWorkflowIds();
    const histories = files.map((file) => ({
      workflowId: ids[file.replace(/\.json$/, '')] ?? file,
      history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
    }));
    const workflowBundle = { code: readFileSync(inject('workflowBundlePath'), 'utf8') };
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
