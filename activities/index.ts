// Every process's activities, built from their dependencies (a pool, the company's requisites).
import type { Pool } from 'pg';
import type { Config } from '../config/env';
import { enterClientsBaseActivity } from './clients-base';
import { nonRetryableWhenPermanent } from './failures';
import type { WorkloadNorm } from '../domain/workload';
import { chooseManagerActivity, mergeAnswersActivity, refusalLetterActivity } from './onboarding';
import { resumeAccountActivity } from './account';
import { renderContractDocumentActivity } from './contract-document';
import { recordStepActivity } from './record-step';
import { registerContractActivity } from './register-contract';

export interface ActivityDeps {
  db: Pool;
  company: Config['company'];
  /** The workload norm managers are chosen under; the defaults when absent. */
  workload?: WorkloadNorm;
}

export function createActivities({ db, company, workload }: ActivityDeps) {
  return {
    registerContract: nonRetryableWhenPermanent('registerContract', registerContractActivity(db)),
    recordStep: nonRetryableWhenPermanent('recordStep', recordStepActivity(db)),
    renderContractDocument: nonRetryableWhenPermanent('renderContractDocument', renderContractDocumentActivity(db, company)),
    enterClientsBase: nonRetryableWhenPermanent('enterClientsBase', enterClientsBaseActivity(db)),
    mergeOnboardingAnswers: nonRetryableWhenPermanent('mergeOnboardingAnswers', mergeAnswersActivity(db)),
    chooseOnboardingManager: nonRetryableWhenPermanent('chooseOnboardingManager', chooseManagerActivity(db, workload)),
    renderRefusalLetter: nonRetryableWhenPermanent('renderRefusalLetter', refusalLetterActivity(db, company)),
    resumeAccount: nonRetryableWhenPermanent('resumeAccount', resumeAccountActivity(db)),
  };
}
