// Reads of one contract: its registry entry with parties, documents and open tasks; the signed
// PDF; the timeline (a keyset page) with what it waits on now.
import { Router } from 'express';
import type { Pool } from 'pg';
import { isContractNumber } from '../../workflows/contract/rules';
import { timelineQuerySchema } from '../../domain/schemas';
import { findContract, openTasksOf, timelinePage } from '../../db/contract/registry';
import { findClient } from '../../db/clients';
import { documentsOfContract, signedContractDocument } from '../../db/documents';
import { route } from '../described-routes';
import { notFound } from '../errors';
import { sendDocument } from '../routes/documents';
import { childrenOf } from '../../db/processes';
import { processUrl } from '../process-apis';

export function createContractReadsRouter({ db }: { db: Pool }): Router {
  const router = Router();

  async function contractOr404(number: string) {
    // Anything that is not a contract number (%00 included) is unknown without asking Postgres.
    const contract = isContractNumber(number) ? await findContract(db, number) : undefined;
    if (!contract) throw notFound(`contract ${number}`);
    return contract;
  }

  route(
    router,
    {
      method: 'get',
      path: '/contracts/:number',
      summary: 'A contract: status, parties, its terms in force, its documents, open tasks and the processes it started (its amendments)',
      who: 'anyone',
      answers: {
        200: 'the contract with its client, documents (each with its url), open tasks and children [{type, id, number, stage, url}]',
      },
      tag: 'contracts',
    },
    async (req, res) => {
      const contract = await contractOr404(req.params.number!);
      const [client, documents, openTasks, children] = await Promise.all([
        findClient(db, contract.clientId),
        documentsOfContract(db, contract.number),
        openTasksOf(db, contract.number),
        childrenOf(db, contract.workflowId),
      ]);
      // Each document is served at its url (GET /api/documents/:id), like every process's. Its
      // terms are those in force: what its amendments in force changed is in the registry.
      res.json({ ...contract, client, documents, openTasks, children: children.map((c) => ({ ...c, url: processUrl(c.type, c.id) })) });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/contracts/:number/document',
      summary: 'The signed contract PDF (two copies of the form); the same bytes as GET /api/documents/:id',
      who: 'anyone',
      answers: { 200: 'the PDF' },
      produces: 'document',
      tag: 'contracts',
    },
    async (req, res) => {
      const contract = await contractOr404(req.params.number!);
      const document = await signedContractDocument(db, contract.number);
      if (!document) throw notFound(`the signed document of contract ${contract.number}`);
      sendDocument(res, document);
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/contracts/:number/timeline',
      summary: 'Every step of the contract (time, actor, waited ms), a keyset page, and what it waits on now',
      who: 'anyone',
      query: timelineQuerySchema,
      answers: { 200: '{number, status, items, nextCursor, waitingOn}' },
      tag: 'contracts',
    },
    async (req, res, { query }) => {
      const contract = await contractOr404(req.params.number!);
      const { limit, cursor } = query();
      const [page, openTasks] = await Promise.all([
        timelinePage(db, contract.number, { limit, after: cursor }),
        openTasksOf(db, contract.number),
      ]);
      const now = Date.now();
      res.json({
        number: contract.number,
        status: contract.status,
        items: page.items,
        nextCursor: page.nextCursor,
        // The name this page had before lists were paged; the same array as items.
        events: page.items,
        waitingOn: openTasks.map((task) => ({
          task: task.kind,
          title: task.title,
          assignee: task.assigneeName ?? task.assigneeRole,
          assigneeRole: task.assigneeRole,
          assigneeStaffId: task.assigneeStaffId,
          since: task.openedAt,
          waitingMs: now - task.openedAt.getTime(),
        })),
      });
    },
  );

  return router;
}
