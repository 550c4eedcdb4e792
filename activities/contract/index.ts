// The contract procedure's activity side: the registry row it moves, its number, its signed PDF,
// and its entries in the clients base.
import { processActivities } from '../engine/definition';
import { enterClientsBaseActivity } from './clients-base';
import { renderContractDocumentActivity } from './contract-document';
import { projectContractStep } from './projection';
import { registerContractActivity } from './register-contract';

export const contractActivities = processActivities({
  projection: { project: (tx, input, process) => projectContractStep(tx, input, process.contractNumber ?? input.number!) },
  activities: ({ db, company }) => ({
    registerContract: registerContractActivity(db),
    renderContractDocument: renderContractDocumentActivity(db, company),
    enterClientsBase: enterClientsBaseActivity(db),
  }),
});
