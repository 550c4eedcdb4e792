// The contract procedure's activity side: the registry row it moves, its number, its signed PDF,
// and its entries in the clients base.
import { processActivities } from '../engine/definition';
import { listingFrom } from '../engine/projection';
import { enterClientsBaseActivity } from './clients-base';
import { contractDraftDocument, renderContractDocumentActivity } from './contract-document';
import { CONTRACT_LISTING, projectContractStep } from './projection';
import { registerContractActivity } from './register-contract';

export const contractActivities = processActivities({
  projection: {
    project: (tx, input, process) => projectContractStep(tx, input, process.contractNumber ?? input.number!),
    listing: (tx, input, process) =>
      listingFrom(
        tx,
        `SELECT ${CONTRACT_LISTING} FROM contract_registry WHERE number = $1`,
        [process.contractNumber ?? input.number],
        `contract ${process.contractNumber ?? input.number}`,
      ),
  },
  activities: ({ db, company }) => ({
    registerContract: registerContractActivity(db),
    renderContractDocument: renderContractDocumentActivity(db, company),
    enterClientsBase: enterClientsBaseActivity(db),
  }),
  draft: ({ db, company }) => contractDraftDocument(db, company),
});
