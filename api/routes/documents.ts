// Every process's documents, served by their id: a contract's signed PDF, a declined client's
// refusal letter. Read like every other read (any valid token; 401 without one), named by
// Content-Disposition, and never kept by a cache (Cache-Control: no-store, set for every answer).
import { Router, type Response } from 'express';
import type { Pool } from 'pg';
import { findDocument } from '../../db/documents';
import { route } from '../described-routes';
import { notFound } from '../errors';

/**
 * `inline; filename="…"` with an ASCII stand-in for anything a quoted string cannot carry, and the
 * exact name as `filename*` (RFC 6266 / RFC 8187) when it differs.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const exact = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return ascii === fileName ? `inline; filename="${fileName}"` : `inline; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/** Answers with a stored document's bytes, its type and its file name. */
export function sendDocument(res: Response, document: { fileName: string; contentType: string; content: Buffer }): void {
  res.type(document.contentType).set('Content-Disposition', contentDisposition(document.fileName)).send(document.content);
}

export function createDocumentsRouter({ db }: { db: Pool }): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/documents/:id',
      summary:
        "Any process's document by its id (a contract's signed PDF, a declined client's refusal letter), named by Content-Disposition",
      who: 'anyone',
      answers: { 200: "the document's bytes with its Content-Type and Content-Disposition; Cache-Control: no-store" },
      produces: 'document',
      tag: 'documents',
    },
    async (req, res) => {
      // A malformed id (%00 included) names no document, without asking Postgres.
      const document = await findDocument(db, req.params.id!);
      if (!document) throw notFound(`document ${req.params.id}`);
      sendDocument(res, document);
    },
  );

  return router;
}
