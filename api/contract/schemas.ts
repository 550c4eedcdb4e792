// The contract's own inputs: a new contract, and the registry's filter.
import { z } from 'zod';
import { draftSchema, isoDate, pageQuerySchema, uuid } from '../../domain/schemas';
import { TEMPLATES } from '../../domain/signing';
import { CONTRACT_STATUSES, isContractNumber } from '../../workflows/contract/rules';

export const newContractSchema = draftSchema.extend({
  clientId: uuid,
  managerId: uuid,
  template: z.enum(TEMPLATES).default('ru'),
});

export const registryFilterSchema = z
  .object({
    status: z.enum(CONTRACT_STATUSES).optional(),
    managerId: uuid.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    format: z.enum(['json', 'csv']).default('json'),
    ...pageQuerySchema(z.string().refine(isContractNumber)).shape,
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: 'must not be before from', path: ['to'] });
