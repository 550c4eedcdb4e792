// How large a contract may be: one constant for the API's schemas and for the renderer, which
// refuses anything larger instead of spending minutes on it. Lengths are JavaScript string
// lengths (UTF-16 code units), the way zod's .max() counts them.
//
// No imports: domain/schemas.ts (and workflow code) may import this file without pulling in pdfkit.

export const CONTRACT_DOCUMENT_LIMITS = {
  /** terms.subject */
  subject: 1_000,
  /** How many deviations from the standard form a contract may carry. */
  deviations: 30,
  deviationClause: 100,
  deviationStandard: 2_000,
  deviationProposed: 2_000,
  additionalAgreement: 10_000,
  specialAppendix: 10_000,
  /** client.requisites.legalName */
  clientLegalName: 300,
  /** client.requisites.address */
  clientAddress: 500,
  /** client.requisites.bankName and client.signatoryName, as the client schema already bounds them. */
  clientBankName: 300,
  signatoryName: 200,
  /** Every other text the form prints (our requisites, the number, the city, digits, the signer). */
  otherText: 1_000,
} as const;

export type ContractDocumentLimit = keyof typeof CONTRACT_DOCUMENT_LIMITS;

/** A contract too large to render: retrying cannot help, so the activity fails for good. */
export class ContractDocumentTooLargeError extends Error {
  override readonly name = 'ContractDocumentTooLargeError';
  constructor(readonly fields: string[]) {
    super(`the contract is too large to print: ${fields.join('; ')}`);
  }
}

interface Printable {
  number: string;
  city: string;
  date: string;
  signedBy: string;
  company: object;
  client: object;
  terms: { subject: string; currency: string };
  approvedDeviations: { clause: string; standard: string; proposed: string }[];
  additionalAgreement?: string | undefined;
  specialAppendix?: string | undefined;
}

/** Throws ContractDocumentTooLargeError naming every field over its limit. Cheap: lengths only. */
export function assertPrintable(input: Printable): void {
  const L = CONTRACT_DOCUMENT_LIMITS;
  const over: string[] = [];
  const check = (field: string, value: unknown, max: number) => {
    if (typeof value === 'string' && value.length > max) over.push(`${field} has ${value.length} characters, at most ${max}`);
  };
  check('terms.subject', input.terms.subject, L.subject);
  const deviations = input.approvedDeviations ?? [];
  if (deviations.length > L.deviations) over.push(`${deviations.length} deviations, at most ${L.deviations}`);
  deviations.forEach((d, i) => {
    check(`deviations[${i}].clause`, d.clause, L.deviationClause);
    check(`deviations[${i}].standard`, d.standard, L.deviationStandard);
    check(`deviations[${i}].proposed`, d.proposed, L.deviationProposed);
  });
  check('additionalAgreement', input.additionalAgreement, L.additionalAgreement);
  check('specialAppendix', input.specialAppendix, L.specialAppendix);
  const limited: Record<string, number> = {
    legalName: L.clientLegalName,
    address: L.clientAddress,
    bankName: L.clientBankName,
    signatoryName: L.signatoryName,
  };
  for (const [key, value] of Object.entries(input.client)) check(`client.${key}`, value, limited[key] ?? L.otherText);
  for (const [key, value] of Object.entries(input.company)) check(`company.${key}`, value, L.otherText);
  check('number', input.number, L.otherText);
  check('city', input.city, L.otherText);
  check('date', input.date, L.otherText);
  check('signedBy', input.signedBy, L.otherText);
  check('terms.currency', input.terms.currency, L.otherText);
  if (over.length > 0) throw new ContractDocumentTooLargeError(over);
}
