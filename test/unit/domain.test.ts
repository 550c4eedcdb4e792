import { describe, expect, it } from 'vitest';
import { toCsv } from '../../api/csv';
import { parseDuration } from '../../config/duration';
import { loadConfig } from '../../config/env';
import { isValidInn } from '../../domain/inn';
import { newClientSchema, termsSchema } from '../../domain/schemas';
import { formatContractNumber } from '../../activities/contract/register-contract';

describe('INN check digits', () => {
  it('accepts real 10- and 12-digit INNs and rejects a wrong check digit', () => {
    expect(isValidInn('7707083893')).toBe(true);
    expect(isValidInn('500100732259')).toBe(true);
    expect(isValidInn('7707083894')).toBe(false);
    expect(isValidInn('500100732258')).toBe(false);
    expect(isValidInn('77070838')).toBe(false);
    expect(isValidInn('77070838ab')).toBe(false);
  });
});

describe('durations', () => {
  it('reads the units people write', () => {
    expect(parseDuration('3d')).toBe(259_200_000);
    expect(parseDuration('36h')).toBe(129_600_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2w')).toBe(1_209_600_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('3')).toBeUndefined();
  });
});

describe('configuration', () => {
  const base = { DATABASE_URL: 'postgres://u@localhost/db' };

  it('applies defaults and reads SLA durations', () => {
    const config = loadConfig({ ...base, SLA_FOLLOW_UP_AFTER: '2s' });
    expect(config.port).toBe(3000);
    expect(config.contract.followUpAfterMs).toBe(2_000);
    expect(config.contract.escalationAfterMs).toBe(14 * 86_400_000);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('polls every process on one task queue, and the old `contracts` queue until told otherwise', () => {
    expect(loadConfig(base).temporal).toMatchObject({ taskQueue: 'processes', legacyTaskQueues: ['contracts'] });
    expect(loadConfig({ ...base, TEMPORAL_LEGACY_TASK_QUEUES: '' }).temporal.legacyTaskQueues).toEqual([]);
    expect(loadConfig({ ...base, TEMPORAL_LEGACY_TASK_QUEUES: ' contracts , old-b,,contracts ' }).temporal.legacyTaskQueues).toEqual([
      'contracts',
      'old-b',
    ]);
    // A deployment that kept `contracts` as its queue polls it once, as its queue.
    const kept = loadConfig({ ...base, TEMPORAL_TASK_QUEUE: 'contracts' }).temporal;
    expect(kept).toMatchObject({ taskQueue: 'contracts', legacyTaskQueues: [] });
  });

  it('names the bad variable', () => {
    expect(() => loadConfig({ ...base, SLA_REMINDER_AFTER: 'a week' })).toThrow(/SLA_REMINDER_AFTER/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({})).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ...base, COMPANY_INN: '1234567890' })).toThrow(/COMPANY_INN/);
    expect(() => loadConfig(base, { requireAdminToken: true })).toThrow(/ADMIN_TOKEN/);
    expect(() => loadConfig({ ...base, SLA_FOLLOW_UP_AFTER: '30d' })).toThrow(/SLA_FOLLOW_UP_AFTER < SLA_REMINDER_AFTER/);
  });
});

describe('input schemas', () => {
  it('requires the end date after the start date', () => {
    const result = termsSchema.safeParse({
      subject: 'x',
      amount: 10,
      currency: 'RUB',
      startDate: '2026-05-01',
      endDate: '2026-04-01',
      paymentTermsDays: 5,
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['endDate']);
  });

  it('asks a legal entity for a KPP and every contact for a way to reach them', () => {
    const result = newClientSchema.safeParse({
      requisites: {
        legalName: 'ООО «Тест»',
        inn: '7707083893',
        address: 'Москва',
        bankName: 'Банк',
        bik: '044525225',
        account: '40702810938000012345',
        correspondentAccount: '30101810400000000225',
      },
      contacts: [{ name: 'Иван', decisionRole: 'butler' }],
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['requisites.kpp', 'contacts.0.phone']);
  });
});

describe('registry output', () => {
  it('numbers contracts by year and sequence', () => {
    expect(formatContractNumber(2026, 17)).toBe('CT-2026-00017');
  });

  it('quotes CSV cells and marks the file as UTF-8', () => {
    const csv = toCsv([{ a: 'ООО «Ветер», СПб', b: 'say "hi"', c: null }], ['a', 'b', 'c']);
    expect(csv).toBe('\uFEFFa,b,c\r\n"ООО «Ветер», СПб","say ""hi""",\r\n');
  });
});
