// Histories of finished test workflows, kept in test/histories/ for the replay test.
// Recorded only when RECORD_HISTORIES=1, and only under names not yet taken.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');

export async function keepHistory(temporal: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  // A recorded history is what contracts already running look like: it is never overwritten, or
  // the replay test would stop guarding them. A new path gets a new name.
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  if (existsSync(file)) return;
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(file, historyToJSON(history));
  // Replay runs a history under its own workflow id: workflows that derive ids from theirs
  // (an onboarding's child contract) must see the same one.
  const ids = recordedWorkflowIds();
  ids[name] = workflowId;
  writeFileSync(WORKFLOW_IDS_FILE, `${JSON.stringify(ids, null, 2)}\n`);
}

const WORKFLOW_IDS_FILE = path.join(HISTORIES_DIR, 'workflow-ids.map');

/** History name → the workflow id it was recorded under; histories from before the map have none. */
export function recordedWorkflowIds(): Record<string, string> {
  return existsSync(WORKFLOW_IDS_FILE) ? (JSON.parse(readFileSync(WORKFLOW_IDS_FILE, 'utf8')) as Record<string, string>) : {};
}
