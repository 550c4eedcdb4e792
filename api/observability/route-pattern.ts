// The route a request was answered by, as declared (`/api/contracts/:number`), never its raw path:
// a metric labelled by raw paths would grow without bound, and a raw path may carry a one-time
// token (an invitation link). Express forgets the mount prefix once an error leaves a router, so
// each route's full pattern is looked up from the app's own table, made once.
import type { Express, Request } from 'express';

interface Layer {
  rawPath?: string;
  route?: { path: string };
  handle?: { stack?: Layer[] };
}

/** What a request no route took is counted and logged as. */
export const UNMATCHED = 'unmatched';

function routeTable(app: Express): Map<object, string> {
  const table = new Map<object, string>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) table.set(layer.route, prefix + layer.route.path);
      else if (layer.handle?.stack) walk(layer.handle.stack, prefix + (layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : ''));
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return table;
}

/** Finds the declared pattern of the route that answered a request of `app`. */
export function routePatterns(app: Express): (req: Request) => string {
  let table: Map<object, string> | undefined;
  return (req) => {
    const route = req.route as { path?: unknown } | undefined;
    if (!route || typeof route.path !== 'string') return UNMATCHED;
    // Made on first use, when every route is mounted.
    table ??= routeTable(app);
    return table.get(route) ?? req.baseUrl + route.path;
  };
}
