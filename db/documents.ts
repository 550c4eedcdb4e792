// Documents of every process (the contract's signed PDF, a declined client's refusal letter): listed
// on the process they belong to, and read by their id (GET /api/documents/:id).
import { uuid } from '../domain/schemas';
import { queryOne, queryRows, type Queryable } from './pool';

export interface DocumentInfo {
  id: string;
  kind: string;
  fileName: string;
  contentType: string;
  sha256: string;
  size: number;
  createdAt: Date;
  /** Where the document itself is served. */
  url: string;
}

export interface StoredDocument {
  id: string;
  kind: string;
  fileName: string;
  contentType: string;
  content: Buffer;
}

const INFO_COLUMNS = `id, kind, file_name AS "fileName", content_type AS "contentType", sha256, octet_length(content) AS size,
  created_at AS "createdAt", '/api/documents/' || id AS url`;

/** A contract's documents, oldest first: its own and those its earlier runs or its drafts made. */
export async function documentsOfContract(db: Queryable, number: string): Promise<DocumentInfo[]> {
  return queryRows<DocumentInfo>(db, `SELECT ${INFO_COLUMNS} FROM documents WHERE contract_number = $1 ORDER BY created_at, id`, [number]);
}

/** The contract's signed PDF, the latest if it was ever made again. */
export async function signedContractDocument(db: Queryable, number: string): Promise<StoredDocument | undefined> {
  return queryOne<StoredDocument>(
    db,
    `SELECT id, kind, file_name AS "fileName", content_type AS "contentType", content
     FROM documents WHERE contract_number = $1 AND kind = 'contract' ORDER BY created_at DESC LIMIT 1`,
    [number],
  );
}

/** The documents a process (by its workflow id) made, oldest first. */
export async function documentsOfWorkflow(db: Queryable, workflowId: string): Promise<DocumentInfo[]> {
  return queryRows<DocumentInfo>(db, `SELECT ${INFO_COLUMNS} FROM documents WHERE workflow_id = $1 ORDER BY created_at, id`, [workflowId]);
}

/** One document with its bytes, or undefined when the id names none (a malformed id included). */
export async function findDocument(db: Queryable, id: string): Promise<StoredDocument | undefined> {
  if (!uuid.safeParse(id).success) return undefined;
  return queryOne<StoredDocument>(
    db,
    `SELECT id, kind, file_name AS "fileName", content_type AS "contentType", content FROM documents WHERE id = $1`,
    [id],
  );
}
