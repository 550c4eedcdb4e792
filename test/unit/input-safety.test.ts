// What Postgres cannot store never passes the schemas, and what a spreadsheet would run never
// leaves the CSV export as a formula.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { csvCell, toCsv } from '../../api/csv';
import {
  cancelSchema,
  clientRecordSchema,
  dispatchSchema,
  draftSchema,
  encodeCursor,
  followUpSchema,
  isStorableText,
  isoDate,
  legalDecisionSchema,
  LIMITS,
  markReadSchema,
  newClientSchema,
  newStaffSchema,
  noteSchema,
  notificationsQuerySchema,
  renewalSchema,
  safeString,
  safeText,
  staffPatchSchema,
  tasksQuerySchema,
  timelineQuerySchema,
} from '../../domain/schemas';
import { newContractSchema, registryFilterSchema } from '../../api/contract/schemas';

const NUL = 'a\u0000b';
const HIGH = 'a\uD800b';
const LOW = '\uDC00';
const UUID = '0b7c4a56-3f1e-4c1a-9d3e-2f6a8b9c0d1e';

const issuePaths = (schema: z.ZodType, value: unknown): string[] => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
};

/** A copy of `body` with the value at a dotted path replaced. */
function withValue<T>(body: T, path: string, value: unknown): T {
  const copy = structuredClone(body) as Record<string, unknown>;
  const keys = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys.at(-1)!] = value;
  return copy as T;
}

const client = {
  location: 'Санкт-Петербург',
  signatoryName: 'Петрова Анна Сергеевна',
  firstContactDate: '2026-10-01',
  requisites: {
    legalName: 'ООО «Северный ветер»',
    inn: '7707083893',
    kpp: '773601001',
    address: 'Невский пр., д. 1',
    bankName: 'АО «Альфа-Банк»',
    bik: '044525593',
    account: '40702810401300012345',
    correspondentAccount: '30101810200000000593',
  },
  contacts: [{ name: 'Анна', jobTitle: 'Директор', phone: '+7 812 555-01-01', email: 'anna@veter.example', decisionRole: 'leader' }],
};

const contract = {
  clientId: UUID,
  managerId: UUID,
  template: 'ru',
  terms: {
    subject: 'Перевозка грузов',
    amount: 1000,
    currency: 'RUB',
    startDate: '2026-01-01',
    endDate: '2027-01-01',
    paymentTermsDays: 30,
  },
  deviations: [{ clause: '4.2', standard: '30 дней', proposed: '60 дней' }],
  additionalAgreement: 'Доп. соглашение',
  specialAppendix: 'Особое приложение',
};

// Every text field of every body, with a valid body to vary and the field's size limit.
const TEXT_FIELDS: { schema: z.ZodType; body: object; fields: [path: string, max?: number][] }[] = [
  {
    schema: newStaffSchema,
    body: { name: 'Мария', email: 'm@x.test', roles: ['manager'] },
    fields: [
      ['name', 200],
      ['email', 254],
    ],
  },
  { schema: staffPatchSchema, body: { name: 'Мария' }, fields: [['name', 200]] },
  {
    schema: newClientSchema,
    body: client,
    fields: [
      ['location', 200],
      ['signatoryName', 200],
      ['requisites.legalName', 300],
      ['requisites.inn'],
      ['requisites.kpp'],
      ['requisites.address', 500],
      ['requisites.bankName', 300],
      ['requisites.bik'],
      ['requisites.account'],
      ['requisites.correspondentAccount'],
      ['contacts.0.name', 200],
      ['contacts.0.jobTitle', 200],
      ['contacts.0.phone'],
      ['contacts.0.email', 254],
    ],
  },
  {
    schema: newContractSchema,
    body: contract,
    fields: [
      ['clientId'],
      ['managerId'],
      ['terms.subject', 1000],
      ['terms.currency'],
      ['deviations.0.clause', 100],
      ['deviations.0.standard', 2000],
      ['deviations.0.proposed', 2000],
      ['additionalAgreement', 10_000],
      ['specialAppendix', 10_000],
    ],
  },
  {
    schema: draftSchema,
    body: { terms: contract.terms, deviations: contract.deviations },
    fields: [
      ['terms.subject', 1000],
      ['deviations.0.proposed', 2000],
    ],
  },
  { schema: legalDecisionSchema, body: { decision: 'approve', comment: 'ok' }, fields: [['comment', 4000]] },
  { schema: dispatchSchema, body: { channel: 'courier', trackingRef: 'RA123' }, fields: [['trackingRef', 200]] },
  { schema: followUpSchema, body: { reached: true, note: 'ok' }, fields: [['note', 4000]] },
  { schema: noteSchema, body: { note: 'ok' }, fields: [['note', 4000]] },
  {
    schema: clientRecordSchema,
    body: { location: 'шкаф 3', note: 'ok' },
    fields: [
      ['location', 200],
      ['note', 4000],
    ],
  },
  { schema: cancelSchema, body: { reason: 'ok' }, fields: [['reason', 4000]] },
];

describe('storable text', () => {
  it('tells NUL and lone surrogates from text Postgres stores', () => {
    expect(isStorableText('ООО «Ветер» 😀 ‮')).toBe(true);
    expect(isStorableText(NUL)).toBe(false);
    expect(isStorableText(HIGH)).toBe(false);
    expect(isStorableText(LOW)).toBe(false);
    expect(isStorableText('\uD83D')).toBe(false);
    expect(isStorableText('😀'.slice(1))).toBe(false);
  });

  it('names the problem in the message', () => {
    expect(safeString().safeParse(NUL).error!.issues[0]!.message).toMatch(/NUL/);
    expect(safeString().safeParse(HIGH).error!.issues[0]!.message).toMatch(/surrogate/);
    expect(safeText(3).safeParse('  abc  ').data).toBe('abc');
    expect(safeText(3).safeParse('   ').success).toBe(false);
  });

  for (const { schema, body, fields } of TEXT_FIELDS) {
    it(`accepts the valid body and refuses each bad text field (${fields.map(([p]) => p).join(', ')})`, () => {
      expect(issuePaths(schema, body)).toEqual([]);
      for (const [path, max] of fields) {
        for (const bad of [NUL, HIGH, LOW])
          expect(issuePaths(schema, withValue(body, path, bad)), `${path} = ${JSON.stringify(bad)}`).toContain(path);
        if (max) expect(issuePaths(schema, withValue(body, path, 'x'.repeat(max + 1))), `${path} over ${max}`).toContain(path);
      }
    });
  }

  it('takes text up to each limit, counted after trimming', () => {
    const long = (n: number) => `  ${'я'.repeat(n)}  `;
    expect(issuePaths(newContractSchema, withValue(contract, 'terms.subject', long(LIMITS.subject)))).toEqual([]);
    expect(issuePaths(newContractSchema, withValue(contract, 'specialAppendix', long(LIMITS.specialAppendix)))).toEqual([]);
    expect(issuePaths(cancelSchema, { reason: long(LIMITS.comment) })).toEqual([]);
  });
});

describe('sizes', () => {
  it('bounds deviations and contacts', () => {
    const deviation = contract.deviations[0];
    expect(issuePaths(newContractSchema, { ...contract, deviations: Array(30).fill(deviation) })).toEqual([]);
    expect(issuePaths(newContractSchema, { ...contract, deviations: Array(31).fill(deviation) })).toEqual(['deviations']);
    expect(issuePaths(newClientSchema, { ...client, contacts: Array(20).fill(client.contacts[0]) })).toEqual([]);
    expect(issuePaths(newClientSchema, { ...client, contacts: Array(21).fill(client.contacts[0]) })).toEqual(['contacts']);
    expect(issuePaths(newClientSchema, { ...client, contacts: [] })).toEqual(['contacts']);
  });
});

describe('dates', () => {
  it('keeps to 1900-01-01 .. 2199-12-31 and says so once', () => {
    for (const ok of ['1900-01-01', '2199-12-31', '2024-02-29']) expect(isoDate.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['1899-12-31', '2200-01-01', '0000-01-01', '9999-12-31', '10000-01-01', '2023-02-29', '2026-1-1', 'a\u0000']) {
      expect(isoDate.safeParse(bad).error?.issues, bad).toHaveLength(1);
    }
    expect(issuePaths(newContractSchema, withValue(contract, 'terms.endDate', '10000-01-01'))).toEqual(['terms.endDate']);
    expect(issuePaths(followUpSchema, { reached: false, note: 'x', expectedSigningDate: '0001-01-01' })).toEqual(['expectedSigningDate']);
    expect(issuePaths(renewalSchema, { endDate: '2200-01-01' })).toEqual(['endDate']);
    expect(issuePaths(newClientSchema, withValue(client, 'firstContactDate', '1812-09-07'))).toEqual(['firstContactDate']);
  });
});

describe('query strings', () => {
  it('reads limit as 1..200, 50 when absent', () => {
    expect(tasksQuerySchema.parse({}).limit).toBe(50);
    expect(tasksQuerySchema.parse({ limit: '200' }).limit).toBe(200);
    for (const bad of ['0', '201', '-1', '1.5', 'ten', '', '1e2', ['5', '6'], '5\u0000']) {
      expect(issuePaths(tasksQuerySchema, { limit: bad }), JSON.stringify(bad)).toEqual(['limit']);
    }
  });

  it('takes back only cursors it made, and decodes them to the sort key', () => {
    const key = ['2026-11-23T19:25:56.123456Z', UUID];
    expect(tasksQuerySchema.parse({ cursor: encodeCursor(key) }).cursor).toEqual(key);
    expect(registryFilterSchema.parse({ cursor: encodeCursor(['2026-11-23T19:25:56.000001Z', 'CT-2026-00017']) }).cursor).toEqual([
      '2026-11-23T19:25:56.000001Z',
      'CT-2026-00017',
    ]);
    expect(timelineQuerySchema.parse({ cursor: encodeCursor(['2026-11-23T19:25:56.000001Z', '42']) }).cursor![1]).toBe('42');
    const forged = [
      'not base64!',
      encodeCursor(['2026-11-23T19:25:56.123456Z']),
      encodeCursor(['0000-01-01T00:00:00.000000Z', UUID]),
      encodeCursor(['2026-13-01T00:00:00.000000Z', UUID]),
      encodeCursor(['2026-11-23T19:25:56.123456Z', 'a\u0000']),
      encodeCursor(['2026-11-23T19:25:56Z', UUID]),
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('\u0000').toString('base64url'),
      'A'.repeat(600),
    ];
    for (const cursor of forged) expect(issuePaths(tasksQuerySchema, { cursor }), cursor).toEqual(['cursor']);
    expect(issuePaths(registryFilterSchema, { cursor: encodeCursor(['2026-11-23T19:25:56.123456Z', 'x']) })).toEqual(['cursor']);
  });

  it('reads unread as true or false and refuses anything else', () => {
    expect(notificationsQuerySchema.parse({ unread: 'true' }).unread).toBe(true);
    expect(notificationsQuerySchema.parse({ unread: 'false' }).unread).toBe(false);
    expect(issuePaths(notificationsQuerySchema, { unread: 'yes' })).toEqual(['unread']);
  });

  it('refuses hostile registry filters, naming each', () => {
    expect(issuePaths(registryFilterSchema, { status: 'active\u0000', managerId: '\uD800', from: '0000-01-01', to: '2200-01-01' })).toEqual(
      ['status', 'managerId', 'from', 'to'],
    );
  });
});

describe('other bodies', () => {
  it('asks a staff change for at least one known field', () => {
    expect(issuePaths(staffPatchSchema, {})).toEqual(['']);
    const typo = staffPatchSchema.safeParse({ disabeld: true }).error!.issues;
    expect(typo.map((i) => i.code)).toContain('unrecognized_keys');
    expect(staffPatchSchema.parse({ roles: ['lawyer', 'lawyer'] })).toEqual({ roles: ['lawyer'] });
    expect(issuePaths(staffPatchSchema, { roles: [] })).toEqual(['roles']);
    expect(issuePaths(staffPatchSchema, { disabled: 'yes' })).toEqual(['disabled']);
  });

  it('marks read the given uuids or, without ids, all', () => {
    expect(markReadSchema.parse(undefined)).toEqual({});
    expect(markReadSchema.parse({ ids: [UUID] })).toEqual({ ids: [UUID] });
    expect(issuePaths(markReadSchema, { ids: ['\u0000'] })).toEqual(['ids.0']);
    expect(issuePaths(markReadSchema, { ids: Array(201).fill(UUID) })).toEqual(['ids']);
  });
});

describe('CSV export', () => {
  it('neutralises cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(csvCell('+cmd|calc!A0')).toBe(`'+cmd|calc!A0`);
    expect(csvCell('-2+3')).toBe(`'-2+3`);
    expect(csvCell('@SUM(A1:A9)')).toBe(`'@SUM(A1:A9)`);
    expect(csvCell('\t=1')).toBe(`'\t=1`);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
  });

  it('leaves ordinary cells and our own numbers alone', () => {
    expect(csvCell('ООО «Ветер»')).toBe('ООО «Ветер»');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('1250000.00')).toBe('1250000.00');
    expect(csvCell(new Date('2026-01-02T03:04:05.000Z'))).toBe('2026-01-02T03:04:05.000Z');
    expect(csvCell(null)).toBe('');
  });

  it('stays RFC 4180: quoted separators, quotes and line breaks, CRLF rows, a BOM', () => {
    const csv = toCsv([{ a: '=1,2', b: 'say "hi"\nbye', c: undefined }], ['a', 'b', 'c']);
    expect(csv).toBe('\uFEFFa,b,c\r\n"\'=1,2","say ""hi""\nbye",\r\n');
  });
});
