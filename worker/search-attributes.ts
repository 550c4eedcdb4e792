// Makes sure the namespace knows the search attributes every process writes, before any workflow
// runs: a workflow upserting an attribute the server does not know would fail its task forever.
// Idempotent; a server that already has them is left alone.
import type { NativeConnection } from '@temporalio/worker';
import { PROCESS_SEARCH_ATTRIBUTES } from '../workflows/engine/search-attributes';

// temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
const KEYWORD = 2;

export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = PROCESS_SEARCH_ATTRIBUTES.filter((key) => !customAttributes?.[key.name]);
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, KEYWORD])),
    });
  } catch (err) {
    // Another worker starting at the same moment may have added them first.
    const again = await connection.operatorService.listSearchAttributes({ namespace });
    if (missing.some((key) => !again.customAttributes?.[key.name])) throw err;
  }
}
