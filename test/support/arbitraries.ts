// Generators of bad input for the endpoint fuzz (test/integration/endpoint-fuzz.test.ts): bodies
// shaped by a route's own JSON Schema (the OpenAPI document's, which is zod's) with wrong types,
// missing and extra fields, boundary numbers, huge and unstorable text; arbitrary JSON and text
// that is not JSON; path segments, query strings and headers a careless or hostile caller sends.
// They know nothing of any one route, so a route declared later is fuzzed as it is declared.
import fc from 'fast-check';

/** A JSON Schema as zod writes it: only the parts the generators read. */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
}

/** Text written into the JSON as it is: numbers JSON.stringify cannot write (1e999, -0), deep nests. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of a generated value; keys such as `__proto__` are written like any other. */
export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`;
  }
  // JSON.stringify writes NUL and lone surrogates as \u escapes, so they reach the server as they are.
  return JSON.stringify(value) ?? 'null';
}

/** Real ids of the test's world (other people's included), offered wherever an id or a number goes. */
export interface IdPool {
  ids: readonly string[];
}

// Strings that have broken services before: unstorable, invisible, reversed, injected, reserved.
const NASTY_TEXT = [
  '',
  ' ',
  '   ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\udfff\ud800',
  '\ud83d',
  '\u202e\u0644\u0627',
  '\ufeff',
  '\u200b',
  '\u00ad',
  '\r\n',
  '\t',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  'NaN',
  'Infinity',
  "'; DROP TABLE staff;--",
  "1' OR '1'='1",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '%ED%A0%80',
  '{{7*7}}',
  '${7*7}',
  '__proto__',
  'constructor',
  '😀',
  '👨‍👩‍👧‍👦',
  'ДС-1',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
];

const BIG_SIZES = [65, 101, 201, 255, 256, 301, 501, 1001, 2001, 4001, 10_001, 65_536];

/** Text too long for most fields (rarely, close to the 1 MB body limit). */
const longText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...BIG_SIZES).chain((n) => fc.constantFrom('x'.repeat(n), 'я'.repeat(n), ` ${'ж'.repeat(n)} `)) },
  { weight: 1, arbitrary: fc.constantFrom('я'.repeat(400_000), '\u0000'.repeat(100_000)) },
);

/** Any text: nasty, long, or random across all of Unicode (lone surrogates included). */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NASTY_TEXT) },
  { weight: 2, arbitrary: longText },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\ud800', '\udc00')).map(([s, bad]) => s + bad),
  },
);

/** Deeply nested arrays or objects, written as text (the generator's own stack never holds them). */
export const deepNest: fc.Arbitrary<RawJson> = fc
  .tuple(fc.constantFrom(64, 500, 5_000, 50_000, 100_000), fc.boolean())
  .map(([depth, arrays]) => new RawJson(arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)));

// Numbers at every edge a field, an int4 or int8 column, a double or a JSON parser has.
const EDGE_NUMBERS: (number | RawJson)[] = [
  0,
  -1,
  1,
  0.5,
  0.001,
  0.005,
  1e-7,
  -0.01,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  -(2 ** 63),
  1e15,
  1e15 + 0.01,
  1e16,
  1e21,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  new RawJson('-0'),
  new RawJson('1e999'),
  new RawJson('-1e999'),
  new RawJson('123456789012345678901234567890'),
  new RawJson('0.1e-400'),
  new RawJson('1.0000000000000000000000001'),
];

/** A value of the wrong kind for whatever was expected. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, 1, -1, '', 'x', [], {}, [null], { a: 1 }, [[]], ['x'], [{}]),
  fc.constantFrom(...EDGE_NUMBERS),
  deepNest,
);

const ISO_DAY_BAD = [
  '0000-01-01',
  '0001-01-01',
  '1899-12-31',
  '2200-01-01',
  '9999-12-31',
  '10000-01-01',
  '+275760-09-13',
  '-000001-01-01',
  '2026-02-30',
  '2026-13-01',
  '2026-1-1',
  '2026-01-01T25:00:00Z',
  '2026-01-01T00:00:00+99:00',
  '2199-12-31T23:59:60Z',
  '1900-01-01T00:00:00+05:00',
  '2026-01-01\u0000',
  '2026-01-01 ',
  '01.02.2026',
  'today',
];

/** A day from 1900 to 2199, as YYYY-MM-DD. */
const isoDay = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const UUID_BAD = [
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '3f1c1f64-2d5a-4a57-9b0e-6f1f3c1b2a1',
  '3f1c1f64-2d5a-4a57-9b0e-6f1f3c1b2a100',
  '3F1C1F64-2D5A-4A57-9B0E-6F1F3C1B2A10',
  '{3f1c1f64-2d5a-4a57-9b0e-6f1f3c1b2a10}',
  '3f1c1f642d5a4a579b0e6f1f3c1b2a10',
  'urn:uuid:3f1c1f64-2d5a-4a57-9b0e-6f1f3c1b2a10',
  '3f1c1f64-2d5a-4a57-9b0e-6f1f3c1b2a10\u0000',
  'g0000000-0000-0000-0000-000000000000',
];

/** Text a schema's pattern accepts, or plain text when the pattern is beyond the generator. */
function matching(pattern: string, maxLength?: number): fc.Arbitrary<string> {
  try {
    const arbitrary = fc.stringMatching(new RegExp(pattern));
    return maxLength === undefined ? arbitrary : arbitrary.filter((s) => s.length <= maxLength);
  } catch {
    return fc.string({ maxLength: maxLength ?? 20 });
  }
}

function wellTypedString(schema: Schema, pool: IdPool): fc.Arbitrary<unknown> {
  const real = pool.ids.length ? [fc.constantFrom(...pool.ids)] : [];
  switch (schema.format) {
    case 'date':
      return fc.oneof(
        { weight: 4, arbitrary: isoDay },
        { weight: 1, arbitrary: fc.constantFrom('1900-01-01', '2199-12-31', '2000-02-29') },
      );
    case 'date-time':
      return fc
        .date({ min: new Date('1900-01-02T00:00:00Z'), max: new Date('2199-12-30T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'uuid':
      return fc.oneof({ weight: 3, arbitrary: fc.oneof(...real, fc.uuid()) }, { weight: 1, arbitrary: fc.uuid() });
    case 'email':
      // The schema's own pattern is stricter than RFC 5322's addresses.
      return schema.pattern ? matching(schema.pattern, schema.maxLength) : fc.emailAddress();
    case 'uri':
      return fc.oneof(
        fc.webUrl({ validSchemes: ['https'] }),
        fc.constantFrom('https://hooks.example.com/in', 'https://127.0.0.1/x', 'http://10.0.0.1/'),
      );
  }
  if (schema.pattern) return matching(schema.pattern, schema.maxLength);
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 40, 40));
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: max }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: max }) },
    ...(schema.maxLength !== undefined ? [{ weight: 1, arbitrary: fc.constant('ю'.repeat(schema.maxLength)) }] : []),
    ...real.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
}

function wellTypedNumber(schema: Schema, integer: boolean): fc.Arbitrary<unknown> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 0.01 : -1e6);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 0.01 : 1e6);
  if (integer) return fc.integer({ min: Math.ceil(Math.max(min, -(2 ** 31))), max: Math.floor(Math.min(max, 2 ** 31 - 1)) });
  const step = schema.multipleOf ?? 0.01;
  const lo = Math.ceil(min / step);
  const hi = Math.floor(Math.min(max, 1e13) / step);
  return fc.oneof(
    fc.integer({ min: lo, max: hi }).map((n) => Math.round(n * step * 100) / 100),
    fc.constantFrom(min, max),
  );
}

/** Values at the edges of this schema (one past each limit), and what it must refuse. */
function hostileFor(schema: Schema, pool: IdPool, depth: number): fc.Arbitrary<unknown> {
  const types = typesOf(schema);
  const options: fc.Arbitrary<unknown>[] = [wrongType];
  if (types.includes('string') || schema.enum || schema.const !== undefined) {
    options.push(hostileText);
    if (schema.maxLength !== undefined) options.push(fc.constant('щ'.repeat(schema.maxLength + 1)));
    if (schema.format === 'date' || schema.format === 'date-time') options.push(fc.constantFrom(...ISO_DAY_BAD));
    if (schema.format === 'uuid') options.push(fc.constantFrom(...UUID_BAD));
    const words = [...(schema.enum ?? []), ...(schema.const !== undefined ? [schema.const] : [])].filter((w) => typeof w === 'string');
    if (words.length) {
      options.push(
        fc.constantFrom(...words).chain((w) => fc.constantFrom(w.toUpperCase(), ` ${w}`, `${w}\u0000`, `${w}\ud800`, w.slice(1))),
      );
    }
  }
  if (types.includes('number') || types.includes('integer')) {
    const edges = [schema.minimum, schema.maximum, schema.exclusiveMinimum, schema.exclusiveMaximum].filter((n) => n !== undefined);
    options.push(fc.constantFrom(...EDGE_NUMBERS, ...edges.flatMap((n) => [n - 1, n, n + 1, n + 0.001, n - 0.001])));
    options.push(fc.constantFrom('1', '1e3', '0x10', ' 5 '));
  }
  if (types.includes('array')) {
    const items = schema.items ?? {};
    const beyond = (schema.maxItems ?? 20) + 1;
    options.push(
      fc.constantFrom(beyond, 1000).chain((n) =>
        shaped(items, pool, depth + 2)
          // A thousand copies of a 400 kB text would be 400 MB to write: copies of small items only.
          .filter((v) => jsonText(v).length <= 2_000)
          .map((v) => Array<unknown>(n).fill(v)),
      ),
    );
    options.push(shaped(items, pool, depth + 2));
  }
  if (types.includes('object')) {
    options.push(shaped(schema, pool, depth + 2).map((v) => [v]));
  }
  return fc.oneof(...options);
}

function typesOf(schema: Schema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.properties) return ['object'];
  return [];
}

/** Keys a body should never carry: the prototype's, and names close to real ones. */
const EXTRA_KEYS = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'status', 'staffId', 'roles', 'admin', '', ' ', '\u0000', '\ud800'),
  fc.string({ maxLength: 12 }),
);

/** Sets a key as an own property, even `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function wellTypedObject(schema: Schema, pool: IdPool, depth: number, wrong: boolean): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const required = (schema.required ?? []).filter((k) => k in properties);
  const model = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, shaped(s, pool, depth + 1, wrong)]));
  const extra =
    schema.additionalProperties && typeof schema.additionalProperties === 'object'
      ? fc.dictionary(fc.string({ maxLength: 20 }), shaped(schema.additionalProperties, pool, depth + 1, wrong), { maxKeys: 8 })
      : fc.constant({});
  if (!wrong) {
    return fc.tuple(fc.record(model, { requiredKeys: required }), extra).map(([record, more]) => ({ ...more, ...record }));
  }
  return fc
    .tuple(
      fc.record(model, { requiredKeys: required }),
      extra,
      // Now and then a required field left out, or a field that is not in the schema.
      fc.option(fc.constantFrom(...(required.length ? required : ['-'])), { freq: 8 }),
      fc.option(fc.tuple(EXTRA_KEYS, fc.oneof(wrongType, hostileText)), { freq: 6 }),
    )
    .map(([record, more, drop, added]) => {
      const body: Record<string, unknown> = {};
      for (const [k, v] of Object.entries({ ...more, ...record })) setOwn(body, k, v);
      if (drop) delete body[drop];
      if (added) setOwn(body, added[0], added[1]);
      return body;
    });
}

/**
 * A value of the schema's own shape, whose parts are now and then wrong (fewer, the deeper); with
 * `wrong` false, one the schema takes, its values often at their limits, to reach what lies behind it.
 */
export function shaped(schema: Schema, pool: IdPool, depth = 0, wrong = true): fc.Arbitrary<unknown> {
  const good = wellTyped(schema, pool, depth, wrong);
  if (depth > 5 || !wrong) return good;
  return fc.oneof({ weight: 7, arbitrary: good }, { weight: 1, arbitrary: hostileFor(schema, pool, depth) });
}

function wellTyped(schema: Schema, pool: IdPool, depth: number, wrong: boolean): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => wellTyped(s, pool, depth, wrong)));
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => wellTyped({ ...schema, type }, pool, depth, wrong)));
  switch (types[0]) {
    case 'string':
      return wellTypedString(schema, pool);
    case 'number':
      return wellTypedNumber(schema, false);
    case 'integer':
      return wellTypedNumber(schema, true);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(shaped(schema.items ?? {}, pool, depth + 1, wrong), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 4)),
      });
    case 'object':
      return wellTypedObject(schema, pool, depth, wrong);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A body as bytes with the Content-Type it is sent with (none: no header). */
export interface SentBody {
  contentType?: string;
  text: string;
  /** Binary bodies are sent as these bytes instead of `text`. */
  bytes?: Uint8Array;
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=UTF-8'];
const WRONG_TYPES = [
  undefined,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=koi8-r',
  'application/json; charset=bogus',
  'application/vnd.api+json',
  'application/octet-stream',
  '*/*',
  'application/json, text/plain',
  'junk',
];

/** Text that is almost JSON, or nothing like it. */
const notJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '}',
    '{"a":',
    '{"a":1,}',
    "{'a':1}",
    'undefined',
    'NaN',
    '{"a":NaN}',
    '[1,]',
    '\u0000',
    '{"a":"\\x00"}',
    '{"a":"\\u12"}',
    '"\\ud800"',
    '{} {}',
    '\ufeff{}',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json().map((s) => s.slice(0, Math.max(0, s.length - 1))),
);

const formEncoded = (value: unknown): string =>
  value && typeof value === 'object'
    ? Object.entries(value)
        .map(([k, v]) => `${percentEncode(k)}=${percentEncode(typeof v === 'string' ? v : jsonText(v))}`)
        .join('&')
    : percentEncode(String(value));

/** Every kind of body a route may be sent: shaped by its schema, any JSON, not JSON, or a wrong Content-Type. */
export function bodyFor(schema: Schema | undefined, pool: IdPool): fc.Arbitrary<SentBody> {
  const own = schema ? shaped(schema, pool) : fc.jsonValue({ maxDepth: 3 });
  const valid = schema ? shaped(schema, pool, 0, false) : own;
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((v) => ({ contentType: 'application/json', text: jsonText(v) })) },
    { weight: 8, arbitrary: fc.tuple(own, fc.constantFrom(...JSON_TYPES)).map(([v, contentType]) => ({ contentType, text: jsonText(v) })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ contentType: 'application/json', text: jsonText(v) })) },
    { weight: 1, arbitrary: deepNest.map((v) => ({ contentType: 'application/json', text: v.text })) },
    { weight: 2, arbitrary: notJson.map((text) => ({ contentType: 'application/json', text })) },
    {
      weight: 2,
      arbitrary: fc.tuple(own, fc.constantFrom(...WRONG_TYPES)).map(([v, contentType]) => ({ contentType, text: jsonText(v) })),
    },
    { weight: 1, arbitrary: own.map((v) => ({ contentType: 'application/x-www-form-urlencoded', text: formEncoded(v) })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ contentType: 'application/json', text: '', bytes })) },
    { weight: 1, arbitrary: fc.constant({ text: '' }) },
  );
}

/**
 * Percent-encodes any JavaScript string, lone surrogates included (as the three bytes WTF-8 gives
 * them, which no UTF-8 decoder takes), where encodeURIComponent would throw.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(text[i]!);
    }
  }
  return out;
}

/** Escapes and segments a URL decoder or a router may choke on, sent as they are. */
const RAW_SEGMENTS = [
  '%00',
  '..',
  '.',
  '%2e%2e',
  '%2F',
  '%5C',
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AE',
  '%FF',
  '%F0%9F%98',
  '~',
  "'",
  '%20',
  '+',
  'null',
  'undefined',
  '0',
  '-1',
  '1e999',
  'CT-2026-00001',
  'CT-9999-99999',
  'CT-2026-00001%2F%D0%94%D0%A1-1',
];

/**
 * One path segment standing for an id: a real one of the kind the path names (`near`), anyone's
 * of any kind, a random UUID, or junk.
 */
export function pathSegment(pool: IdPool, near: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    ...(near.length ? [{ weight: 5, arbitrary: fc.constantFrom(...near).map(percentEncode) }] : []),
    { weight: 4, arbitrary: pool.ids.length ? fc.constantFrom(...pool.ids).map(percentEncode) : fc.uuid() },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 3, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 1, arbitrary: fc.constantFrom(...UUID_BAD).map(percentEncode) },
    { weight: 2, arbitrary: hostileText.filter((s) => s.length < 3000).map(percentEncode) },
    { weight: 1, arbitrary: fc.constantFrom(300, 2_000, 7_000).map((n) => 'x'.repeat(n)) },
  );
}

/** A query parameter the route declares: its JSON Schema. */
export interface QueryParameter {
  name: string;
  schema: Schema;
}

const asQueryValue = (v: unknown): string => (typeof v === 'string' ? v : jsonText(v));

/** A query string: the route's own parameters (right, wrong, repeated, bracketed) and others, or none. */
export function queryFor(parameters: readonly QueryParameter[], pool: IdPool): fc.Arbitrary<string> {
  const one = (p: QueryParameter): fc.Arbitrary<string[]> =>
    fc.oneof(
      { weight: 4, arbitrary: shaped(p.schema, pool).map((v) => [`${p.name}=${percentEncode(asQueryValue(v))}`]) },
      { weight: 2, arbitrary: hostileText.filter((s) => s.length < 3000).map((v) => [`${p.name}=${percentEncode(v)}`]) },
      {
        weight: 1,
        arbitrary: fc
          .array(shaped(p.schema, pool), { minLength: 2, maxLength: 3 })
          .map((vs) => vs.map((v) => `${p.name}=${percentEncode(asQueryValue(v))}`)),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(`${p.name}[]=1`, `${p.name}[a]=1`, `${p.name}`, `${p.name}=`, `${p.name}=%`, `${p.name}=%ED%A0%80`, `${p.name}=%00`)
          .map((pair) => [pair]),
      },
    );
  const declared = parameters.map((p) => fc.option(one(p), { freq: 2 }));
  const stranger = fc.option(
    fc
      .tuple(
        fc.constantFrom('x', 'cursor', 'limit', '__proto__', 'format', 'q', '%00'),
        hostileText.filter((s) => s.length < 500),
      )
      .map(([k, v]) => [`${k}=${percentEncode(v)}`]),
    { freq: 4 },
  );
  return fc.tuple(fc.tuple(...declared, stranger), fc.constantFrom('', '&', '&&', '#frag', ';')).map(([parts, tail]) => {
    const pairs = parts.flat().filter((p): p is string => typeof p === 'string');
    return pairs.length || tail ? `?${pairs.join('&')}${tail === '#frag' ? '' : tail}` : '';
  });
}

/** Header values Node's client will send: visible ASCII and Latin-1, as a byte string. */
const headerValue = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c)),
    maxLength,
  });

/** Now and then `arbitrary`, mostly nothing: `1 / oneIn` of the time. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

/** Headers besides the caller's: junk Idempotency-Keys, encodings, cookies, languages and sizes (each now and then). */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
  .record({
    'idempotency-key': sometimes(
      fc.oneof(
        { weight: 3, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,200}$/) },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 2, arbitrary: fc.constantFrom('', ' ', 'a b', 'x'.repeat(201), 'x'.repeat(5000), '\u00e9', '\t', '\u00ff\u00fe') },
        { weight: 1, arbitrary: headerValue(300) },
      ),
      2,
    ),
    'content-encoding': sometimes(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip'), 12),
    accept: sometimes(fc.constantFrom('*/*', 'text/html', 'application/xml', 'junk', ''), 6),
    'accept-language': sometimes(headerValue(60), 8),
    cookie: sometimes(
      fc.oneof(fc.constantFrom('ce_lang=xx', 'ce_session=', 'ce_session=AAAAAAAAAAAAAAAAAAAAAAAAA', 'a=b; a=c', '=;='), headerValue(200)),
      8,
    ),
    'x-forwarded-for': sometimes(fc.constantFrom('1.2.3.4', 'junk', '::1, 10.0.0.1', ''), 10),
    'x-forwarded-proto': sometimes(fc.constantFrom('https', 'gopher', ''), 10),
    'x-fuzz': sometimes(
      fc.constantFrom(1_000, 8_000, 20_000).map((n) => 'h'.repeat(n)),
      15,
    ),
  })
  .map((headers) => Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined)));
