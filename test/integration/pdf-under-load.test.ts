// The largest valid contract is signed (its PDF rendered) while the API keeps answering: the render
// runs in a worker thread, not on the event loop the API, the worker and the other activities share.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSharedPdfRenderPool } from '../../activities/documents/pdf-render-pool';
import { withoutBreaks } from '../../activities/documents/line-breaks';
import { worstCaseClient, worstCaseDraft } from '../../activities/contract/worst-case';
import { castAndClient, clientBody, stepOk, type Cast } from '../support/fixtures';
import { startHarness, type Harness } from '../support/harness';
import { pdfText } from '../support/pdf-text';

let h: Harness;
let cast: Cast;

beforeAll(async () => {
  // The signature answers when the PDF is made; give it room on a busy machine.
  h = await startHarness({ callTimeoutMs: 60_000 });
  cast = await castAndClient(h);
});
afterAll(async () => {
  await h?.close();
  await closeSharedPdfRenderPool();
});

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
// As a reader copies it: no spaces or line ends, no page footers between the parts of a long text.
const flat = (text: string) =>
  withoutBreaks(text)
    .replace(/\s+/g, '')
    .replace(/Договор—стр\.\d+из\d+/g, '');

describe('the largest valid contract', () => {
  it('is signed while the API answers every 100 ms poll within 1 s, and its PDF is complete', async () => {
    const { signatoryName, ...requisites } = worstCaseClient();
    const client = await h.request('POST', '/api/clients', { token: cast.ops.token, body: { ...clientBody(), signatoryName, requisites } });
    expect(client.status, JSON.stringify(client.body).slice(0, 500)).toBe(201);

    const draft = worstCaseDraft('long-words', { startDate: isoDay(0), endDate: isoDay(365) });
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: { clientId: client.body.id, managerId: cast.manager.id, template: 'ru', ...draft },
    });
    expect(created.status, JSON.stringify(created.body).slice(0, 500)).toBe(201);
    const { number } = created.body;
    expect(created.body.status).toBe('pending_legal_approval');
    expect(await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/approval`, { decision: 'approve', comment: 'Согласовано' })).toBe(
      'pending_signature',
    );

    // Poll without waiting for the previous answer, so a stalled event loop shows as slow answers.
    const latencies: { path: string; ms: number; status: number }[] = [];
    const inFlight: Promise<void>[] = [];
    let polling = true;
    const poll = async (path: string) => {
      const started = performance.now();
      const res = await fetch(`${h.url}${path}`, {
        headers: { authorization: `Bearer ${cast.manager.token}` },
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      latencies.push({ path, ms: performance.now() - started, status: res.status });
    };
    const poller = (async () => {
      for (let i = 0; polling; i++) {
        inFlight.push(poll(i % 2 === 0 ? '/api/health' : '/api/me'));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const started = performance.now();
    const signed = await h.request('POST', `/api/contracts/${number}/signature`, { token: cast.director.token, body: {} });
    const signingMs = performance.now() - started;
    polling = false;
    await poller;
    await Promise.all(inFlight);

    expect(signed.status, JSON.stringify(signed.body).slice(0, 500)).toBe(200);
    expect(signed.body.status).toBe('ready_to_send');
    // The poll ran for the whole signature: one request per 100 ms, give or take timer slack.
    expect(latencies.length).toBeGreaterThanOrEqual(Math.floor(signingMs / 100 / 2));
    expect(
      latencies.every((l) => l.status === 200),
      JSON.stringify(latencies.filter((l) => l.status !== 200)),
    ).toBe(true);
    const slowest = latencies.reduce((a, b) => (b.ms > a.ms ? b : a));
    console.log(
      `signature of the largest contract: ${signingMs.toFixed(0)} ms; ${latencies.length} polls, slowest ${slowest.path} ${slowest.ms.toFixed(0)} ms`,
    );
    expect(slowest.ms).toBeLessThan(1_000);

    const pdf = await h.request('GET', `/api/contracts/${number}/document`, { token: cast.manager.token });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    const text = flat(await pdfText(pdf.raw));
    expect(text).toContain(flat(requisites.legalName));
    expect(text).toContain(flat(requisites.address));
    expect(text).toContain(number);
    const last = draft.deviations.at(-1)!;
    expect(text).toContain(flat(last.proposed));
    expect(text).toContain(flat(draft.specialAppendix));
    // Both copies.
    expect(text.split(flat(last.proposed))).toHaveLength(3);
  });
});
