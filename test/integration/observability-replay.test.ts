// The request-id workflow interceptor must never change a decision: every recorded history
// (test/histories) replays on a bundle made with it, as the production worker makes its bundle
// (worker/telemetry.ts, workflowInterceptorModules).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { HISTORIES_DIR, recordedWorkflowIds } from '../support/histories';

Runtime.install({ logger: new DefaultLogger('WARN') });

const WORKFLOWS = path.join(__dirname, '..', '..', 'workflows');

it('replays every recorded history on a bundle with the request-id interceptor', async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS,
    workflowInterceptorModules: [path.join(WORKFLOWS, 'engine', 'request-id-interceptors.ts')],
    logger: new DefaultLogger('WARN'),
  });
  // Made into the bundle, not merely passed along.
  expect(code).toContain('request-id-interceptors');
  const ids = recordedWorkflowIds();
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(5);
  const histories = files.map((file) => ({
    workflowId: ids[file.replace(/\.json$/, '')] ?? file,
    history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))),
  }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
});
