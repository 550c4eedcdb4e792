// The contract activities, built from their dependencies (a pool, the company's requisites).
import type { Pool } from 'pg';
import type { Config } from '../config/env';
import { enterClientsBaseActivity } from './clients-base';
import { renderContractDocumentActivity } from './contract-document';
import { recordStepActivity } from './record-step';
import { registerContractActivity } from './register-contract';

export interface ActivityDeps {
  db: Pool;
  company: Config['company'];
}

export function createActivities({ db, company }: ActivityDeps) {
  return {
    registerContract: registerContractActivity(db),
    recordStep: recordStepActivity(db),
    renderContractDocument: renderContractDocumentActivity(db, company),
    enterClientsBase: enterClientsBaseActivity(db),
  };
}
