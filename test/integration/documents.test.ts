// Every process's documents: listed on it (`documents` on the contract and on the onboarding, each
// with its url) and served by one endpoint for any document id, GET /api/documents/:id, read like
// every other read (any valid token), named by Content-Disposition, never cached. A declined
// client's refusal letter is downloaded and read back.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDisposition } from '../../api/routes/documents';
import {
  castAndClient,
  clientBody,
  contractBody,
  stepOk,
  type Cast,
  EVERY_REQUIRED_ANSWER,
  freightQuestionnaireId,
} from '../support/fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { pdfText } from '../support/pdf-text';

let h: Harness;
let cast: Cast;
let questionnaireId: string;

beforeAll(async () => {
  h = await startHarness();
  cast = await castAndClient(h);
  questionnaireId = await freightQuestionnaireId(h, cast.ops);
});
afterAll(() => h?.close());

describe("a declined client's refusal letter", () => {
  it('is listed on the onboarding and downloaded by its id, read back as the letter', async () => {
    const client = clientBody();
    client.requisites.legalName = 'ООО «Опасный груз»';
    const created = await h.request('POST', '/api/onboardings', {
      token: cast.ops.token,
      body: { client, lineOfBusiness: 'freight-logistics', questionnaireId, answers: EVERY_REQUIRED_ANSWER },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { id } = created.body;
    const before = await h.request('GET', `/api/onboardings/${id}`, { token: cast.ops.token });
    expect(before.body.documents).toEqual([]);
    await eventually(
      async () =>
        (await h.request('GET', `/api/onboardings/${id}`, { token: cast.ops.token })).body.stage === 'qualification' ? true : undefined,
      20_000,
      'qualification',
    );

    const reason = 'Перевозка взрывчатых веществ не входит в наши услуги';
    const declined = await h.request('POST', `/api/onboardings/${id}/qualification`, {
      token: cast.kamHead.token,
      body: { segment: 'low', supplierPosition: 'independent', expectedAnnualRevenue: 0, decision: 'decline', reason },
    });
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    // The step's own answer lists it already, as every read of the onboarding does.
    expect(declined.body.stage).toBe('declined');
    expect(declined.body.documents).toHaveLength(1);
    const read = await h.request('GET', `/api/onboardings/${id}`, { token: cast.lawyer.token });
    expect(read.body.documents).toEqual(declined.body.documents);
    const [letter] = read.body.documents as {
      id: string;
      kind: string;
      fileName: string;
      contentType: string;
      sha256: string;
      size: number;
      url: string;
    }[];
    const code = (await h.request('GET', `/api/clients/${created.body.clientId}`, { token: cast.ops.token })).body.code;
    expect(letter).toMatchObject({
      kind: 'refusal_letter',
      fileName: `refusal-${code}.pdf`,
      contentType: 'application/pdf',
      url: `/api/documents/${letter!.id}`,
    });

    // Anyone with a token reads it, as they read the onboarding.
    for (const person of [cast.ops, cast.manager, cast.kamHead, cast.lawyer, cast.director]) {
      const res = await h.request('GET', letter!.url, { token: person.token });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toBe(`inline; filename="refusal-${code}.pdf"`);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.raw.length).toBe(letter!.size);
      expect(createHash('sha256').update(res.raw).digest('hex')).toBe(letter!.sha256);
    }
    const text = await pdfText((await h.request('GET', letter!.url, { token: cast.ops.token })).raw);
    expect(text).toContain('Опасный груз');
    expect(text).toContain('взрывчатых веществ');
    expect(text).toContain(`ОТК-${new Date().toISOString().slice(0, 4)}-${code}`);
  });
});

describe('GET /api/documents/:id', () => {
  it("serves a contract's signed PDF too, the same bytes as /api/contracts/:number/document", async () => {
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const number = created.body.number as string;
    await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
    const contract = await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token });
    const [document] = contract.body.documents as { id: string; kind: string; fileName: string; url: string }[];
    expect(document).toMatchObject({ kind: 'contract', url: `/api/documents/${document!.id}` });
    const byId = await h.request('GET', document!.url, { token: cast.lawyer.token });
    const byNumber = await h.request('GET', `/api/contracts/${number}/document`, { token: cast.lawyer.token });
    expect(byId.status).toBe(200);
    expect(byId.raw.equals(byNumber.raw)).toBe(true);
    expect(byId.headers.get('content-type')).toBe('application/pdf');
    expect(byId.headers.get('content-disposition')).toBe(`inline; filename="${document!.fileName}"`);
    expect(byNumber.headers.get('content-disposition')).toBe(byId.headers.get('content-disposition'));
    expect(byId.headers.get('cache-control')).toBe('no-store');
    expect(await pdfText(byId.raw)).toContain(number);
  });

  it('is 404 for an unknown or malformed id and 401 without a valid token', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', '%00', '..%2Fcontracts', `${'1'.repeat(5000)}`]) {
      const res = await h.request('GET', `/api/documents/${id}`, { token: cast.ops.token });
      expect(res.status, id).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    const [any] = (await h.db.query<{ id: string }>('SELECT id FROM documents LIMIT 1')).rows;
    expect((await h.request('GET', `/api/documents/${any!.id}`)).status).toBe(401);
    expect((await h.request('GET', `/api/documents/${any!.id}`, { token: 'not-a-token-at-all' })).status).toBe(401);
  });

  it('names a file whose name a quoted string cannot carry by filename*', () => {
    expect(contentDisposition('refusal-CL-00017.pdf')).toBe('inline; filename="refusal-CL-00017.pdf"');
    expect(contentDisposition('отказ "1".pdf')).toBe(
      `inline; filename="_____ _1_.pdf"; filename*=UTF-8''%D0%BE%D1%82%D0%BA%D0%B0%D0%B7%20%221%22.pdf`,
    );
  });
});
