// Processes in flight for a fault test, driven over HTTP as a careful client behind a balancer
// would: each request to the next API in turn; a step that got no final answer (a 503, a 202, a
// connection cut by a killed API) sent again with the same Idempotency-Key until it is taken.
// Every answer is recorded with its status, time and the fault it came under, for the checks.
import type { Topology } from '../../scripts/topology';
import { clientBody, contractBody, EVERY_REQUIRED_ANSWER } from '../support/fixtures';
import { ADMIN_TOKEN } from '../support/harness';

export interface Answer {
  phase: string;
  method: string;
  path: string;
  api: string;
  /** 0: no HTTP answer (the connection refused or cut). */
  status: number;
  ms: number;
  retryAfter: string | null;
  error?: string;
  body?: unknown;
}

interface Person {
  id: string;
  token: string;
}

export interface Team {
  ops: Person;
  manager: Person;
  lawyer: Person;
  director: Person;
  kamHead: Person;
  questionnaireId: string;
}

/** Past this a request counts as hanging: no deadline in the product is this long. */
export const HANG_MS = 45_000;
/** How long one step may take to be taken, retries included, across a fault and its recovery. */
const STEP_DEADLINE_MS = 240_000;
const RETRY_PAUSE_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let keys = 0;
const newKey = (what: string) => `fault-${what}-${process.pid}-${++keys}-${Math.random().toString(36).slice(2, 8)}`;

export class Driver {
  readonly answers: Answer[] = [];
  /** Which fault the answers now being recorded came under. */
  phase = 'setup';
  /** Requests waiting for their answer, by API: a fault test kills an API that holds some. */
  readonly inFlight = new Map<string, number>();

  constructor(private readonly topology: Topology) {}

  /** One request to the next API; never throws for a missing answer (status 0). */
  async send(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const api = this.topology.nextApiUrl();
    const phase = this.phase;
    const started = performance.now();
    let answer: Answer;
    this.inFlight.set(api, (this.inFlight.get(api) ?? 0) + 1);
    try {
      const res = await fetch(`${api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(HANG_MS),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      answer = {
        phase,
        method,
        path,
        api,
        status: res.status,
        ms: performance.now() - started,
        retryAfter: res.headers.get('retry-after'),
        body: parsed,
      };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      answer = {
        phase,
        method,
        path,
        api,
        status: 0,
        ms: performance.now() - started,
        retryAfter: null,
        error: cause ?? (err as Error).name,
      };
    } finally {
      this.inFlight.set(api, this.inFlight.get(api)! - 1);
    }
    this.answers.push(answer);
    return answer;
  }

  /**
   * A step taken once: sent with one Idempotency-Key until it gets its final answer (2xx, or a
   * refusal, which fails the scenario). A 202 is accepted but not recorded: sent again, the same key
   * is answered by the step it took.
   */
  async step(method: string, path: string, token: string, body: unknown = {}): Promise<any> {
    const headers = { 'Idempotency-Key': newKey('step') };
    const deadline = Date.now() + STEP_DEADLINE_MS;
    for (;;) {
      const answer = await this.send(method, path, token, body, headers);
      if (answer.status === 200 || answer.status === 201) return answer.body;
      const retryable = answer.status === 0 || answer.status === 503 || answer.status === 202;
      if (!retryable || Date.now() > deadline) {
        throw new Error(`${method} ${path} in phase "${answer.phase}": ${answer.status} ${answer.error ?? JSON.stringify(answer.body)}`);
      }
      await sleep(RETRY_PAUSE_MS);
    }
  }

  /** A read retried until it answers 200. */
  async read(path: string, token: string): Promise<any> {
    const deadline = Date.now() + STEP_DEADLINE_MS;
    for (;;) {
      const answer = await this.send('GET', path, token);
      if (answer.status === 200) return answer.body;
      if (Date.now() > deadline) throw new Error(`GET ${path}: ${answer.status} ${answer.error ?? JSON.stringify(answer.body)}`);
      await sleep(RETRY_PAUSE_MS);
    }
  }

  /** Reads `path` until `done` holds, for the parts a process does by itself (an onboarding's child contract). */
  async until(path: string, token: string, done: (body: any) => boolean, what: string): Promise<any> {
    const deadline = Date.now() + STEP_DEADLINE_MS;
    for (;;) {
      const body = await this.read(path, token);
      if (done(body)) return body;
      if (Date.now() > deadline) throw new Error(`${what}: ${path} did not get there: ${JSON.stringify(body).slice(0, 500)}`);
      await sleep(RETRY_PAUSE_MS);
    }
  }

  async team(): Promise<Team> {
    const person = async (name: string, roles: string[]) => {
      const body = { name, email: `${newKey('p')}@faults.test`, roles };
      return (await this.step('POST', '/api/staff', ADMIN_TOKEN, body)) as Person;
    };
    const [ops, manager, lawyer, director, kamHead] = [
      await person('Олег Операционный', ['ops']),
      await person('Мария Менеджерова', ['manager']),
      await person('Юлия Юристова', ['lawyer']),
      await person('Иванов Иван Иванович', ['director']),
      await person('Ким Руководитель', ['kam_head']),
    ];
    const list = await this.read('/api/questionnaires', ops.token);
    const questionnaireId = list.items.find((q: { key: string }) => q.key === 'freight-logistics').id;
    return { ops, manager, lawyer, director, kamHead, questionnaireId };
  }

  /** A client registered once, whatever the faults: its Idempotency-Key names it. */
  async client(team: Team, legalName: string): Promise<string> {
    const body = clientBody();
    body.requisites.legalName = legalName;
    const created = await this.step('POST', '/api/clients', team.ops.token, body);
    return created.id as string;
  }

  /** The contract steps after its creation, to `active`. */
  private async contractToActive(team: Team, number: string): Promise<void> {
    const c = `/api/contracts/${encodeURIComponent(number)}`;
    await this.step('POST', `${c}/signature`, team.director.token);
    await this.step('POST', `${c}/dispatch`, team.manager.token, { channel: 'courier' });
    await this.step('POST', `${c}/original`, team.manager.token);
    await this.step('POST', `${c}/client-record`, team.lawyer.token);
    await this.until(c, team.manager.token, (body) => body.status === 'active', `contract ${number}`);
  }

  /** A contract on the standard terms from creation to `active`; answers its number. */
  async contract(team: Team, clientId: string): Promise<string> {
    const created = await this.step('POST', '/api/contracts', team.ops.token, contractBody(clientId, team.manager.id));
    await this.contractToActive(team, created.number);
    return created.number as string;
  }

  /** An onboarding with every answer, qualified, its child contract to `active`, its checklist: `completed`. */
  async onboarding(team: Team, clientId: string): Promise<string> {
    const started = await this.step('POST', '/api/onboardings', team.ops.token, {
      clientId,
      lineOfBusiness: 'freight-logistics',
      questionnaireId: team.questionnaireId,
      answers: EVERY_REQUIRED_ANSWER,
    });
    const o = `/api/onboardings/${started.id}`;
    await this.until(o, team.ops.token, (body) => body.stage === 'qualification', `onboarding ${started.id}`);
    await this.step('POST', `${o}/qualification`, team.kamHead.token, {
      segment: 'gold',
      supplierPosition: 'partner',
      expectedAnnualRevenue: 12_000_000,
      decision: 'pursue',
      reason: 'регулярные перевозки',
    });
    await this.until(o, team.manager.token, (body) => body.stage === 'contracting' && !!body.managerId, `onboarding ${started.id}`);
    const { clientId: _client, managerId: _manager, ...draft } = contractBody(clientId, team.manager.id);
    await this.step('POST', `${o}/contract`, team.manager.token, draft);
    const withContract = await this.until(o, team.manager.token, (body) => !!body.contractNumber, `onboarding ${started.id}`);
    await this.contractToActive(team, withContract.contractNumber);
    await this.until(o, team.manager.token, (body) => body.stage === 'implementation', `onboarding ${started.id}`);
    for (const item of ['service_variant', 'contacts'])
      await this.step('POST', `${o}/checklist/${item}`, team.manager.token, { note: 'сделано' });
    for (const item of ['training', 'support_contacts'])
      await this.step('POST', `${o}/checklist/${item}`, team.ops.token, { note: 'сделано' });
    await this.until(o, team.manager.token, (body) => body.stage === 'completed', `onboarding ${started.id}`);
    return started.id as string;
  }

  /** A relationship opened by a complaint, with a commitment; both then resolved and fulfilled. */
  async relationship(team: Team, clientId: string): Promise<void> {
    const c = `/api/clients/${clientId}`;
    const complaint = await this.step('POST', `${c}/complaints`, team.ops.token, {
      summary: 'Опоздание машины',
      category: 'delivery',
      severity: 'medium',
      reportedBy: 'Логист клиента',
    });
    const promise = await this.step('POST', `${c}/commitments`, team.manager.token, {
      what: 'Резерв машин',
      dueDate: '2099-01-01',
      ownerId: team.manager.id,
    });
    await this.step('POST', `/api/complaints/${complaint.id}/resolve`, team.manager.token, {
      resolution: 'Исправлено',
      rootCause: 'process',
    });
    await this.step('POST', `/api/commitments/${promise.id}/fulfil`, team.manager.token, { note: 'Выполнено' });
  }
}
