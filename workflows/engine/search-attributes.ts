// What every process is indexed by in Temporal, so the Temporal UI filters processes the way
// GET /api/processes does. Registered by every worker at start (worker/search-attributes.ts) and
// by the compose set-up; kept current by every workflow as its stage and manager change.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PROCESS_TYPE = defineSearchAttributeKey('ProcessType', SearchAttributeType.KEYWORD);
export const PROCESS_STAGE = defineSearchAttributeKey('ProcessStage', SearchAttributeType.KEYWORD);
export const CLIENT_CODE = defineSearchAttributeKey('ClientCode', SearchAttributeType.KEYWORD);
export const MANAGER_ID = defineSearchAttributeKey('ManagerId', SearchAttributeType.KEYWORD);

export const PROCESS_SEARCH_ATTRIBUTES = [PROCESS_TYPE, PROCESS_STAGE, CLIENT_CODE, MANAGER_ID] as const;

/** A process's search attributes as it stands: what each workflow upserts when its stage or manager changes. */
export function processSearchAttributes(p: { type: string; stage: string; managerId?: string; clientCode?: string }) {
  return [
    { key: PROCESS_TYPE, value: p.type },
    { key: PROCESS_STAGE, value: p.stage },
    ...(p.managerId ? [{ key: MANAGER_ID, value: p.managerId }] : []),
    ...(p.clientCode ? [{ key: CLIENT_CODE, value: p.clientCode }] : []),
  ];
}
