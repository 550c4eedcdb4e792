// Each request gets an id: the caller's X-Request-Id when it is sane to log (domain/request-id.ts),
// otherwise one made here. It is echoed in the answer's X-Request-Id, put on every log line written
// while the request is handled (request-context.ts), and handed to Temporal with any step it
// causes. When the answer is sent, one line says what it was (route pattern, status, time taken,
// who asked) and the metrics count it. Probes (health, metrics) log at debug: a balancer asks every
// few seconds.
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../../config/logger';
import { saneRequestId } from '../../domain/request-id';
import type { ApiMetrics } from './metrics';
import { currentRequest, withinRequest, type RequestContext } from './request-context';

export const REQUEST_ID_HTTP_HEADER = 'X-Request-Id';

/** The status a request is counted under when its caller went away first. */
export const CALLER_WENT_AWAY = 499;

const PROBES = /^\/(api\/health(\/|$)|metrics$)/;

export interface RequestLogging {
  /** First in the chain: identifies the request, logs and counts its answer. */
  identify: RequestHandler;
  /**
   * After the body parser: stream callbacks run outside the request's async context, so the
   * handlers after it are put back inside it.
   */
  resume: RequestHandler;
}

export function requestLogging(logger: Logger, metrics: ApiMetrics, routeOf: (req: Request) => string): RequestLogging {
  return {
    identify(req, res, next) {
      const requestId = saneRequestId(req.get(REQUEST_ID_HTTP_HEADER)) ?? randomUUID();
      res.set(REQUEST_ID_HTTP_HEADER, requestId);
      const context: RequestContext = { requestId, log: logger.child({ requestId }) };
      res.locals.request = context;
      const started = process.hrtime.bigint();
      // A caller that goes away before its answer (a balancer's timeout) is logged and counted as 499,
      // as nginx does: otherwise the slowest requests would be the ones never seen.
      res.once('close', () => {
        if (res.writableFinished) return;
        const route = routeOf(req);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.answered({ method: req.method, route, status: CALLER_WENT_AWAY, seconds });
        context.log.info(
          { method: req.method, route, status: CALLER_WENT_AWAY, ms: Math.round(seconds * 10_000) / 10 },
          'the caller went away before the answer',
        );
      });
      res.once('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const route = routeOf(req);
        const status = res.statusCode;
        const dependency = res.locals.unavailableDependency as string | undefined;
        metrics.answered({ method: req.method, route, status, seconds, dependency });
        const line = {
          method: req.method,
          route,
          status,
          ms: Math.round(seconds * 10_000) / 10,
          ...(req.actor ? { staffId: req.actor.staffId } : {}),
          ...(dependency ? { dependency } : {}),
        };
        const level = status >= 500 ? 'warn' : PROBES.test(req.originalUrl.split('?')[0]) ? 'debug' : 'info';
        context.log[level](line, `${req.method} ${route} ${status}`);
      });
      withinRequest(context, next);
    },
    resume(_req, res, next) {
      const context = res.locals.request as RequestContext | undefined;
      if (context && currentRequest() !== context) withinRequest(context, next);
      else next();
    },
  };
}
