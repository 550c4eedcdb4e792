// The API's metrics for Prometheus: requests by route pattern and status, their latency, and the
// 503s by the dependency that was down (the error funnel names it), beside Node's own process
// metrics. One registry per app, so several apps in one process (the tests) never share counts.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { notFound } from '../errors';

export interface ApiMetrics {
  registry: Registry;
  /** One answered request: its route pattern, status, seconds, and for a 503 the dependency that failed. */
  answered(answer: { method: string; route: string; status: number; seconds: number; dependency?: string }): void;
}

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'api_http_requests_total',
    help: 'Requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'api_http_request_duration_seconds',
    help: 'Time from a request arriving to its answer being sent, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const unavailable = new Counter({
    name: 'api_unavailable_answers_total',
    help: '503 answers, by the dependency that did not answer in time (postgres, temporal; unknown when not named)',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  // Present from the start, so a dashboard's rate() has a zero to begin from.
  for (const dependency of ['postgres', 'temporal']) unavailable.inc({ dependency }, 0);
  return {
    registry,
    answered({ method, route, status, seconds, dependency }) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
      if (status === 503) unavailable.inc({ dependency: dependency ?? 'unknown' });
    },
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * GET /metrics: only with `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise), and not at all
 * (404) when no token is configured. The counts say how the business runs (steps per route, how
 * often each dependency fails), so they are not for anyone who can reach the API.
 */
export function metricsEndpoint(metrics: ApiMetrics, token: string | undefined): RequestHandler {
  const expected = token ? digest(`Bearer ${token}`) : undefined;
  return async (req, res) => {
    if (!expected) throw notFound(`${req.method} ${req.path}`);
    if (!timingSafeEqual(digest(req.get('authorization') ?? ''), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      res.status(401).json({ error: { code: 'unauthenticated', message: 'the metrics token is required' } });
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
