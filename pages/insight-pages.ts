// Where time goes (waits per step and per person, SLA compliance), churn, and the registry. Every
// number is the API's own, read as the signed-in person: GET /api/analytics/waits, the churn,
// losses and cooling analytics, and the contract registry (its CSV included). Charts are SVG drawn
// on the server (insight-charts.ts), with the same numbers in tables beside them.
import { Router, type Request, type Response } from 'express';
import type { Role } from '../domain/people';
import { PROCESS_TYPES } from '../domain/processes';
import { CONTRACT_STATUSES } from '../workflows/contract/rules';
import { PROCESS_APIS } from '../api/process-apis';
import { HttpError } from '../api/errors';
import { listStaff } from '../db/staff';
import type { WaitsReport } from '../db/waits';
import type { ChurnReport, CoolingClient, LossesReport } from '../db/account/analytics';
import type { RegistryEntry } from '../db/contract/registry';
import type { ApiAnswer } from './api-call';
import { personOf, type PagesDeps } from './deps';
import { hasMessage, languageOf, translate, translatorFor, type Language } from './i18n';
import { barChart, type ChartRow } from './insight-charts';
import { durationText, renderPage } from './render';
import { processPageUrl, refusalText } from './words';

/** Who the insight pages are for: the head of the team, the director, administrators. */
export const INSIGHT_ROLES: readonly Role[] = ['kam_head', 'director', 'admin'];

const headsOnly = (req: Request): void => {
  if (!personOf(req).roles.some((role) => INSIGHT_ROLES.includes(role))) {
    throw new HttpError(403, 'forbidden', translatorFor(req)('insight.headsOnly'));
  }
};

/** The process whose registry the registry is: the one whose stages are the registry's statuses. */
const REGISTRY_TYPE = PROCESS_TYPES.find((type) => PROCESS_APIS[type].stages === CONTRACT_STATUSES);

const REGISTRY_PAGE_SIZE = 50;

/** The query's single text values among `names` (a repeated or empty parameter is left out). */
function textQuery(req: Request, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = req.query[name];
    if (typeof value === 'string' && value.trim() !== '' && value.length <= 600) out[name] = value.trim();
  }
  return out;
}

const query = (values: Record<string, string>): string => {
  const text = new URLSearchParams(values).toString();
  return text ? `?${text}` : '';
};

/** Which label of the page's forms each query field the API may name is. */
const FIELD_KEYS: Record<string, string> = {
  from: 'insight.from',
  to: 'insight.to',
  type: 'field.type',
  days: 'churn.days',
  status: 'registry.status',
  managerId: 'field.managerId',
  cursor: 'registry.page',
};

/** The API's refusal as the page shows it: its kind in the person's language, its reason, and each field it names. */
function refusalOf(language: Language, answer: ApiAnswer) {
  const error = answer.body?.error as { code?: string; message?: string; issues?: { path: string; message: string }[] } | undefined;
  return {
    ...refusalText(language, answer.status, error),
    issues: (error?.issues ?? []).map((issue) => ({
      field: FIELD_KEYS[issue.path] ? translate(language, FIELD_KEYS[issue.path]!) : issue.path,
      message: issue.message,
    })),
  };
}

/** The API could not answer at all: the page says so as the API would (503 with Retry-After). */
function unlessUnavailable(answer: ApiAnswer): void {
  if (answer.status >= 500) {
    throw new HttpError(answer.status, answer.body?.error?.code ?? 'unavailable', answer.body?.error?.message ?? 'unavailable');
  }
}

const label = (language: Language, prefix: string, value: string | null | undefined, otherwise = ''): string =>
  value === null || value === undefined ? otherwise : hasMessage(`${prefix}${value}`) ? translate(language, `${prefix}${value}`) : value;

const percent = (language: Language, share: number): string =>
  new Intl.NumberFormat(language === 'ru' ? 'ru-RU' : 'en-GB', { style: 'percent', maximumFractionDigits: 0 }).format(share);

/** A calendar date (YYYY-MM-DD) as the person reads it: the day itself, whatever the time zone. */
const dateText = (language: Language, date: string | null): string =>
  date
    ? new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(
        new Date(`${date}T00:00:00Z`),
      )
    : '';

const number = (language: Language, n: number): string => new Intl.NumberFormat(language === 'ru' ? 'ru-RU' : 'en-GB').format(n);

/** The health reasons the relationship writes (workflows/account/rules.ts healthOf), in the person's language. */
const HEALTH_REASONS: [RegExp, string][] = [
  [/^stage: (\w+)$/, 'insight.reason.stage'],
  [/^(\d+) open (\w+) complaints?$/, 'insight.reason.openComplaints'],
  [/^(\d+) complaints? past the resolution deadline$/, 'insight.reason.overdueComplaints'],
  [/^(\d+)( or more)? complaints within the recurrence window$/, 'insight.reason.recurring'],
  [/^(\d+) overdue commitments?$/, 'insight.reason.overdueCommitments'],
  [/^last review satisfaction (\d+)\/10$/, 'insight.reason.satisfaction'],
];

export function healthReasonText(language: Language, reason: string): string {
  for (const [pattern, key] of HEALTH_REASONS) {
    const m = pattern.exec(reason);
    if (!m) continue;
    const n = m[1]!;
    if (key === 'insight.reason.stage') return translate(language, key, { stage: label(language, 'stage.', n) });
    if (key === 'insight.reason.openComplaints') {
      return translate(language, key, { n, severity: label(language, 'insight.severity.', m[2]) });
    }
    return translate(language, key, { n: m[2] ? `${n}+` : n });
  }
  return reason;
}

export function createInsightPagesRouter(deps: PagesDeps): Router {
  const router = Router();

  const subnav = (req: Request, here: string) => {
    const t = translatorFor(req);
    return [
      { href: '/insight', text: t('insight.nav.waits') },
      { href: '/insight/churn', text: t('insight.nav.churn') },
      { href: '/registry', text: t('nav.registry') },
    ].map((link) => ({ ...link, current: link.href === here }));
  };

  // ---- Where time goes ------------------------------------------------------------------------

  router.get('/insight', async (req, res) => {
    headsOnly(req);
    const t = translatorFor(req);
    const language = languageOf(req);
    const asked = textQuery(req, ['from', 'to', 'type']);
    const answer = await deps.call(req, 'GET', `/api/analytics/waits${query(asked)}`);
    unlessUnavailable(answer);
    const base = { title: t('insight.title'), subnav: subnav(req, '/insight'), types: PROCESS_TYPES };
    if (answer.status !== 200) {
      return renderPage(req, res, 'insight', { ...base, filter: asked, refusal: refusalOf(language, answer) }, answer.status);
    }
    const report = answer.body as WaitsReport;
    const allTypes = report.type === null;
    const stepName = (type: string, kind: string) =>
      `${label(language, 'task.', kind)}${allTypes ? ` · ${label(language, 'process.', type)}` : ''}`;
    const slowest = report.slowest;
    const steps = report.steps.map((s) => ({
      ...s,
      name: stepName(s.type, s.kind),
      slowest: slowest !== null && s.type === slowest.type && s.kind === slowest.kind,
      medianText: durationText(language, s.medianMs),
      p90Text: durationText(language, s.p90Ms),
      slaText: percent(language, s.slaShare),
    }));
    const people = report.people.map((p) => ({
      ...p,
      name: p.name ?? t('insight.anyoneOf', { role: label(language, 'role.', p.role) }),
      medianText: durationText(language, p.medianMs),
      p90Text: durationText(language, p.p90Ms),
      slaText: percent(language, p.slaShare),
    }));
    const events = report.events.map((e) => ({
      ...e,
      name: `${label(language, 'event.', e.step)}${allTypes ? ` · ${label(language, 'process.', e.type)}` : ''}`,
      medianText: durationText(language, e.medianMs),
      p90Text: durationText(language, e.p90Ms),
    }));
    const waitLegend = [
      { series: 'median', text: t('insight.median') },
      { series: 'p90', text: t('insight.p90') },
    ];
    const waitValues = (row: { medianMs: number; p90Ms: number; medianText: string; p90Text: string }) => [
      { series: 'median', value: row.medianMs, text: row.medianText, name: t('insight.median') },
      { series: 'p90', value: row.p90Ms, text: row.p90Text, name: t('insight.p90') },
    ];
    const stepRows: ChartRow[] = steps.map((s) => ({ label: s.name, marked: s.slowest, values: waitValues(s) }));
    // The slowest step is drawn in the warning colour, which the legend names.
    const markedLegend = slowest ? [{ series: 'marked', text: t('insight.slowest') }] : [];
    renderPage(req, res, 'insight', {
      ...base,
      filter: { from: report.from, to: report.to, type: report.type ?? undefined },
      period: t('insight.period', { from: report.from, to: report.to }),
      asOf: report.asOf,
      steps,
      people,
      events,
      slowestName: steps.find((s) => s.slowest)?.name,
      charts:
        steps.length === 0
          ? []
          : [
              barChart('chart-steps', t('insight.chart.steps'), stepRows, [...waitLegend, ...markedLegend]),
              barChart(
                'chart-sla',
                t('insight.chart.sla'),
                steps.map((s) => ({
                  label: s.name,
                  marked: s.slowest,
                  values: [
                    {
                      series: 'share',
                      value: s.slaShare,
                      text: `${s.slaText} (${s.slaMet}/${s.count})`,
                      name: t('insight.sla'),
                    },
                  ],
                })),
                markedLegend,
                1,
              ),
              barChart(
                'chart-people',
                t('insight.chart.people'),
                people.map((p) => ({ label: p.name, values: waitValues(p) })),
                waitLegend,
              ),
            ],
    });
  });

  // ---- Churn ----------------------------------------------------------------------------------

  router.get('/insight/churn', async (req, res) => {
    headsOnly(req);
    const t = translatorFor(req);
    const language = languageOf(req);
    const lossPeriod = textQuery(req, ['from', 'to']);
    const cooling = textQuery(req, ['days']);
    const [churn, losses, cooled] = await Promise.all([
      deps.call(req, 'GET', '/api/analytics/churn'),
      deps.call(req, 'GET', `/api/analytics/losses${query(lossPeriod)}`),
      deps.call(req, 'GET', `/api/analytics/cooling${query(cooling)}`),
    ]);
    for (const answer of [churn, losses, cooled]) unlessUnavailable(answer);
    const refused = [churn, losses, cooled].find((a) => a.status !== 200);
    const base = {
      title: t('churn.title'),
      subnav: subnav(req, '/insight/churn'),
      filter: { ...lossPeriod, days: cooling.days ?? '30' },
    };
    if (refused) {
      return renderPage(req, res, 'insight-churn', { ...base, refusal: refusalOf(language, refused) }, refused.status);
    }
    const churnReport = churn.body as ChurnReport;
    const lossesReport = losses.body as LossesReport;
    const coolingReport = cooled.body as { days: number; clients: CoolingClient[] };
    const stageName = (stage: string | null) => label(language, 'stage.', stage, t('churn.unknown'));
    const byStage = churnReport.byStage.map((s) => ({ ...s, name: stageName(s.key) }));
    const byReason = lossesReport.byReason.map((r) => ({ ...r, name: label(language, 'value.', r.key, t('churn.unknown')) }));
    const byCompetitor = lossesReport.byCompetitor.map((c) => ({ ...c, name: c.key ?? t('churn.noCompetitor') }));
    const countRows = (rows: { name: string; count: number }[]): ChartRow[] =>
      rows.map((r) => ({
        label: r.name,
        values: [{ series: 'count', value: r.count, text: number(language, r.count), name: t('churn.clients') }],
      }));
    renderPage(req, res, 'insight-churn', {
      ...base,
      filter: { ...lossPeriod, days: String(coolingReport.days) },
      byStage: byStage.map((s) => {
        const time = churnReport.timeInStage.find((x) => x.stage === s.key);
        return {
          ...s,
          time: time && {
            ...time,
            medianText: durationText(language, time.medianMs),
            avgText: durationText(language, time.avgMs),
            maxText: durationText(language, time.maxMs),
          },
        };
      }),
      lossTotal: lossesReport.total,
      byReason,
      byCompetitor,
      losses: lossesReport.losses.map((l) => ({
        ...l,
        reasonName: label(language, 'value.', l.reason),
        stageName: stageName(l.stage),
        clientUrl: `/clients/${encodeURIComponent(l.clientId)}`,
      })),
      cooling: coolingReport.clients.map((c) => ({
        ...c,
        stageName: stageName(c.stage),
        clientUrl: `/clients/${encodeURIComponent(c.clientId)}`,
        reasons: c.reasonsNow.map((r) => ({ text: healthReasonText(language, r.reason), points: r.points })),
      })),
      coolingDays: coolingReport.days,
      charts: {
        stages: barChart('chart-stages', t('churn.chart.stages'), countRows(byStage), []),
        reasons: byReason.length ? barChart('chart-reasons', t('churn.chart.reasons'), countRows(byReason), []) : undefined,
        competitors: byCompetitor.length
          ? barChart('chart-competitors', t('churn.chart.competitors'), countRows(byCompetitor), [])
          : undefined,
      },
    });
  });

  // ---- The registry ---------------------------------------------------------------------------

  const REGISTRY_FILTERS = ['status', 'managerId', 'from', 'to'] as const;

  router.get('/registry', async (req, res) => {
    const t = translatorFor(req);
    const language = languageOf(req);
    const filter = textQuery(req, REGISTRY_FILTERS);
    const cursor = textQuery(req, ['cursor']);
    const [answer, staff] = await Promise.all([
      deps.call(req, 'GET', `/api/registry${query({ ...filter, ...cursor, limit: String(REGISTRY_PAGE_SIZE) })}`),
      listStaff(deps.db),
    ]);
    unlessUnavailable(answer);
    const base = {
      title: t('registry.title'),
      subnav: personOf(req).roles.some((role) => INSIGHT_ROLES.includes(role)) ? subnav(req, '/registry') : undefined,
      filter,
      statuses: CONTRACT_STATUSES,
      managers: staff.filter((s) => s.roles.includes('manager')),
      csvUrl: `/registry.csv${query(filter)}`,
    };
    if (answer.status !== 200) {
      return renderPage(req, res, 'registry', { ...base, refusal: refusalOf(language, answer) }, answer.status);
    }
    const page = answer.body as { items: RegistryEntry[]; nextCursor: string | null };
    const money = (amount: string, currency: string) => {
      try {
        return new Intl.NumberFormat(language === 'ru' ? 'ru-RU' : 'en-GB', { style: 'currency', currency }).format(Number(amount));
      } catch {
        return `${amount} ${currency}`;
      }
    };
    renderPage(req, res, 'registry', {
      ...base,
      items: page.items.map((e) => ({
        ...e,
        url: REGISTRY_TYPE ? processPageUrl(REGISTRY_TYPE, e.number) : undefined,
        statusName: label(language, 'stage.', e.status),
        sentText: dateText(language, e.sentDate),
        returnedText: dateText(language, e.returnedDate),
        scanText: dateText(language, e.scanReceivedDate),
        amountText: money(e.amount, e.currency),
      })),
      paged: Boolean(cursor.cursor),
      firstUrl: `/registry${query(filter)}`,
      nextUrl: page.nextCursor ? `/registry${query({ ...filter, cursor: page.nextCursor })}` : undefined,
    });
  });

  // The export is the API's own CSV, fetched as the person, with its type and file name.
  router.get('/registry.csv', async (req: Request, res: Response) => {
    const filter = textQuery(req, REGISTRY_FILTERS);
    const answer = await deps.call(req, 'GET', `/api/registry${query({ ...filter, format: 'csv' })}`);
    unlessUnavailable(answer);
    if (answer.status !== 200) {
      const refusal = refusalOf(languageOf(req), answer);
      const detail = [refusal.detail, ...refusal.issues.map((i) => `${i.field}: ${i.message}`)].join(' ');
      throw new HttpError(answer.status, answer.body?.error?.code ?? 'invalid_request', detail);
    }
    for (const header of ['content-type', 'content-disposition', 'content-length']) {
      const value = answer.headers[header];
      if (value !== undefined) res.set(header, String(value));
    }
    res.status(200).send(answer.raw);
  });

  return router;
}
