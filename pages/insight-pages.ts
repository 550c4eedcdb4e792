// Where time goes (waits per step and per person, SLA compliance), churn, and the registry.
import { Router } from 'express';
import type { PagesDeps } from './deps';

export function createInsightPagesRouter(_deps: PagesDeps): Router {
  return Router();
}
