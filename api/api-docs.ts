// The API's description, readable without a token (it holds no data): the OpenAPI document at
// GET /api/openapi.json and a reference page at /api/docs, drawn by Swagger UI served from its
// installed package (no CDN). That page alone gets a Content-Security-Policy that lets it run its
// own script and styles from this origin; every other answer keeps the API's `default-src 'none'`.
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import { route, type RouteSpec } from './described-routes';

const SWAGGER_UI = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Contract engine API</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/start.js"></script>
</body>
</html>
`;

// A file, not an inline script, so the page's policy needs no 'unsafe-inline' for scripts.
const START = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: false });\n`;

const docsPolicy: RequestHandler = (_req, res, next) => {
  res.set(
    'Content-Security-Policy',
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  );
  next();
};

const described = (path: string, summary: string, answer: string): RouteSpec => ({
  method: 'get',
  path,
  summary,
  who: 'anyone',
  public: true,
  answers: { 200: answer },
  tag: 'documentation',
});

export function createApiDocsRouter(document: () => Record<string, unknown>): Router {
  const router = Router();
  route(
    router,
    described(
      '/openapi.json',
      'This document: every route, who may call it, and the schemas it validates with',
      'the OpenAPI 3.1 document',
    ),
    (_req, res) => {
      res.json(document());
    },
  );
  router.use('/docs', docsPolicy);
  route(
    router,
    described('/docs', 'A readable reference of this API (Swagger UI, served from its installed package)', 'an HTML page'),
    (_req, res) => {
      res.type('html').send(DOCS_PAGE);
    },
  );
  route(router, described('/docs/start.js', "The reference page's start-up script", 'JavaScript'), (_req, res) => {
    res.type('application/javascript').send(START);
  });
  router.use('/docs/assets', express.static(SWAGGER_UI, { index: false, fallthrough: false }));
  return router;
}
