// Every process of every type (filters, counts per stage, the late ones marked), and one process's
// page: its stages with the current one marked, its timeline as bars on a time axis, its documents,
// its open tasks and the steps it offers now, its parent and its children. Made from the process
// list, the timeline, the tasks and the documents every process writes, so a new process type has
// its pages without page code of its own.
import { Router } from 'express';
import { z } from 'zod';
import { PROCESS_TYPES, type ProcessType } from '../domain/processes';
import { uuid } from '../domain/schemas';
import {
  childrenOf,
  DEFAULT_OVERDUE_AFTER_MS,
  findProcess,
  openTasksOfWorkflows,
  stageCounts,
  tasksOfWorkflow,
  type ProcessItem,
  type ProcessRecord,
} from '../db/processes';
import { timelineOfWorkflows } from '../db/timelines';
import { documentsOfWorkflow } from '../db/documents';
import { listStaff } from '../db/staff';
import { ALL_STAGES, PROCESS_APIS } from '../api/process-apis';
import { translatorFor } from './i18n';
import { renderPage } from './render';
import { personOf, pickersFor, type PagesDeps } from './deps';
import { stepsForStage, stepsForTask, type StepTarget } from './steps';
import { processStepForm } from './questionnaire-form';
import { processReader } from './process-facts';
import { movesOf, stateDiagram } from './state-diagram';
import { timelineChart } from './timeline-chart';
import { processPageUrl } from './words';

const listQuery = z.object({
  type: z.enum(PROCESS_TYPES).optional().catch(undefined),
  stage: z
    .string()
    .refine((s) => ALL_STAGES.includes(s))
    .optional()
    .catch(undefined),
  managerId: uuid.optional().catch(undefined),
  clientId: uuid.optional().catch(undefined),
  overdue: z
    .enum(['true'])
    .transform(() => true)
    .optional()
    .catch(undefined),
  cursor: z.string().max(500).optional().catch(undefined),
});

const PAGE_SIZE = 50;

export function createProcessPagesRouter(deps: PagesDeps): Router {
  const router = Router();

  router.get('/processes', async (req, res) => {
    const t = translatorFor(req);
    const filter = listQuery.parse(req.query);
    const { cursor, ...where } = filter;
    // The list is the API's own (GET /api/processes), read as the person.
    const query = new URLSearchParams({ ...stringsOf(where), limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) });
    const answer = await deps.call(req, 'GET', `/api/processes?${query}`);
    const page = (answer.status === 200 ? answer.body : { items: [], nextCursor: null }) as {
      items: (ProcessItem & { since: string })[];
      nextCursor: string | null;
    };
    const counts = await stageCounts(deps.db, where);
    const now = Date.now();
    const items = page.items.map((p) => {
      const after = deps.overdueAfter[p.type] ?? DEFAULT_OVERDUE_AFTER_MS;
      const late = p.waitingOn.some(
        (w) => w.task === 'escalation' || (w.dueAt ? new Date(w.dueAt).getTime() < now : now - new Date(w.since).getTime() > after),
      );
      return { ...p, late, url: processPageUrl(p.type, p.id) };
    });
    const byType = PROCESS_TYPES.filter((type) => !where.type || where.type === type).map((type) => ({
      type,
      stages: PROCESS_APIS[type].stages.map((stage) => ({
        stage,
        count: counts.find((c) => c.type === type && c.stage === stage)?.count ?? 0,
        selected: where.stage === stage,
      })),
    }));
    const [staff, clients] = await Promise.all([listStaff(deps.db), deps.call(req, 'GET', '/api/clients?limit=200')]);
    renderPage(req, res, 'processes', {
      title: t('processes.title'),
      items,
      byType,
      filter: where,
      types: PROCESS_TYPES,
      stages: where.type ? PROCESS_APIS[where.type].stages : ALL_STAGES,
      managers: staff.filter((s) => s.roles.includes('manager')),
      clients: clients.status === 200 ? clients.body.items : [],
      next: page.nextCursor ? `?${new URLSearchParams({ ...stringsOf(where), cursor: page.nextCursor })}` : undefined,
    });
  });

  router.get('/processes/:type/:id', async (req, res) => {
    const process = await processOr404(deps, req.params.type, req.params.id);
    if (!process) return notFoundPage(req, res);
    const person = personOf(req);
    const t = translatorFor(req);
    const [steps, tasks, documents, children, open] = await Promise.all([
      timelineOfWorkflows(deps.db, [process.workflowId]),
      tasksOfWorkflow(deps.db, process.workflowId),
      documentsOfWorkflow(deps.db, process.workflowId),
      childrenOf(deps.db, process.workflowId),
      openTasksOfWorkflows(deps.db, [process.workflowId]),
    ]);
    const back = req.originalUrl.split('?')[0]!;
    const taskTargets = open.map((task) => ({
      task,
      mine: task.assigneeStaffId === person.staffId || (task.assigneeStaffId === null && person.roles.includes(task.assigneeRole as never)),
      targets: stepsForTask(
        deps.steps(),
        { id: task.id, kind: task.task, ref: task.ref, type: process.type, processId: process.id },
        person.roles,
      ),
    }));
    const offered = process.closedAt ? [] : stepsForStage(deps.steps(), process.type, process.id, process.stage, person.roles);
    // A step offered with a task is drawn once, with the task.
    const withTask = new Set(taskTargets.flatMap((x) => (x.mine ? x.targets.map((target) => target.url) : [])));
    const others = offered.filter((target) => !withTask.has(target.url));
    const pickers = await pickersFor(deps, req, [
      ...taskTargets.flatMap((x) => x.targets.map((y) => y.step)),
      ...others.map((o) => o.step),
    ]);
    const facts = await processReader(deps, req)(process.type, process.id);
    const drawn = (target: StepTarget, prefix: string) => processStepForm(deps, req, target, pickers, facts.body, { back, prefix });
    const passed = new Set(steps.flatMap((s) => [s.from, s.to]).filter(Boolean)) as Set<string>;
    const diagram = stateDiagram(PROCESS_APIS[process.type].stages, await movesOf(deps.db, process.type), process.stage, passed);
    renderPage(req, res, 'process', {
      title: `${t(`process.${process.type}`)} ${process.number ?? ''}`.trim(),
      process,
      stages: PROCESS_APIS[process.type].stages.map((stage) => ({ stage, current: stage === process.stage, passed: passed.has(stage) })),
      chart: timelineChart(tasks, steps, process.startedAt, process.closedAt ?? new Date()),
      steps,
      documents,
      children: children.map((c) => ({ ...c, url: processPageUrl(c.type, c.id) })),
      parentUrl: process.parent ? processPageUrl(process.parent.type, process.parent.id) : undefined,
      clientUrl: `/clients/${process.clientId}`,
      tasks: await Promise.all(
        taskTargets.map(async ({ task, mine, targets }, i) => ({
          ...task,
          mine,
          forms: mine ? await Promise.all(targets.map((target, j) => drawn(target, `t${i}-${j}-`))) : [],
        })),
      ),
      actions: await Promise.all(others.map((target, i) => drawn(target, `a${i}-`))),
      done: typeof req.query.done === 'string' ? req.query.done : undefined,
      facts,
      diagram,
      // The draft is for before the document is made; once it is, that one is read.
      draftUrl: !process.closedAt && documents.length === 0 && deps.drafts[process.type] ? `${back}/draft` : undefined,
      live: process.closedAt === null,
      timelineUrl: `${back}/timeline`,
    });
  });

  // The timeline alone, for the page's script to redraw the growing wait.
  router.get('/processes/:type/:id/timeline', async (req, res) => {
    const process = await processOr404(deps, req.params.type, req.params.id);
    if (!process) return notFoundPage(req, res);
    const [steps, tasks] = await Promise.all([
      timelineOfWorkflows(deps.db, [process.workflowId]),
      tasksOfWorkflow(deps.db, process.workflowId),
    ]);
    renderPage(req, res, 'timeline-fragment', {
      title: '',
      fragment: true,
      live: process.closedAt === null,
      timelineUrl: req.originalUrl,
      chart: timelineChart(tasks, steps, process.startedAt, process.closedAt ?? new Date()),
    });
  });

  // The process's document as it would be made now (a contract before its signature): made on
  // request, kept nowhere. Only for a process still open.
  router.get('/processes/:type/:id/draft', async (req, res) => {
    const process = await processOr404(deps, req.params.type, req.params.id);
    const draft = process && !process.closedAt ? deps.drafts[process.type] : undefined;
    if (!process || !draft) return notFoundPage(req, res);
    let document;
    try {
      document = await draft(process.id);
    } catch (err) {
      const t = translatorFor(req);
      const tooLarge = (err as Error).name === 'ContractDocumentTooLargeError';
      return renderPage(
        req,
        res,
        'message',
        { title: t('refused.title'), text: tooLarge ? (err as Error).message : t('error.tryLater') },
        tooLarge ? 422 : 503,
      );
    }
    if (!document) return notFoundPage(req, res);
    res
      .status(200)
      .type('application/pdf')
      .set('Content-Disposition', `inline; filename="${document.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
      .send(document.content);
  });

  // A document is fetched through the API as the person: the same checks and headers.
  router.get('/documents/:id', async (req, res) => {
    const answer = await deps.call(req, 'GET', `/api/documents/${encodeURIComponent(req.params.id)}`);
    if (answer.status !== 200) return notFoundPage(req, res);
    for (const header of ['content-type', 'content-disposition', 'content-length']) {
      const value = answer.headers[header];
      if (value !== undefined) res.set(header, String(value));
    }
    res.status(200).send(answer.raw);
  });

  return router;
}

const stringsOf = (filter: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(filter).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));

async function processOr404(deps: PagesDeps, type: string, id: string): Promise<ProcessRecord | undefined> {
  if (!(PROCESS_TYPES as readonly string[]).includes(type) || id.length > 200) return undefined;
  return findProcess(deps.db, type as ProcessType, id);
}

function notFoundPage(req: Parameters<typeof renderPage>[0], res: Parameters<typeof renderPage>[1]): void {
  const t = translatorFor(req);
  renderPage(req, res, 'message', { title: t('notFound.title'), text: t('notFound.text') }, 404);
}
