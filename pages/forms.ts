// A form made from a route's body schema (its JSON Schema, from the same zod schema the API
// validates with), and a submitted form turned back into the JSON body that route takes. The page
// checks nothing itself: the API judges the body and names the field it refuses.
import { z } from 'zod';

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  description?: string;
};

export type ControlKind = 'text' | 'textarea' | 'number' | 'date' | 'email' | 'select' | 'checkbox' | 'choices' | 'lines' | 'fixed';

export interface FormControl {
  /** The field's name in the form: `terms.amount`, `deviations.0.clause`. */
  name: string;
  /** Its last name part, for its label: `amount`. */
  field: string;
  kind: ControlKind;
  required: boolean;
  options?: string[];
  min?: number;
  max?: number;
  step?: number | 'any';
  maxLength?: number;
  minLength?: number;
  /** The one value a field can have (`outcome: 'recovered'`): sent as it is, nothing to choose. */
  fixed?: string;
}

export interface FormGroup {
  name: string;
  field: string;
  /** An optional group (a new client instead of a chosen one): its own fields are required only when it is given. */
  required: boolean;
  controls: FormNode[];
  /** Rows of a list of objects (deviations): each row's controls, named `name.i.field`. */
  rows?: FormNode[][];
}

export type FormNode = ({ group: true } & FormGroup) | ({ group: false } & FormControl);

/** Text longer than this gets a text area. */
const TEXTAREA_FROM = 500;
/** Rows shown for a list of objects; empty rows are dropped when sent. */
const LIST_ROWS = 3;

export const jsonSchemaOf = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** The one non-null branch of an optional or nullable field. */
function unwrap(schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf ?? schema.oneOf;
  if (!branches) return schema;
  const real = branches.filter((b) => b.type !== 'null');
  return real.length === 1 ? unwrap(real[0]!) : schema;
}

const typeOf = (s: JsonSchema): string | undefined => (Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type);

function controlOf(name: string, field: string, raw: JsonSchema, required: boolean, listRows = LIST_ROWS): FormNode {
  const s = unwrap(raw);
  const type = typeOf(s);
  if (type === 'object' && s.properties) {
    return { group: true, name, field, required, controls: nodesOf(s, name, required, listRows) };
  }
  if (type === 'array' && s.items) {
    const item = unwrap(s.items);
    if (typeOf(item) === 'object' && item.properties) {
      const rows = Array.from({ length: Math.min(s.maxItems ?? listRows, listRows) }, (_, i) =>
        nodesOf(item, `${name}.${i}`, false, listRows),
      );
      return { group: true, name, field, required, controls: [], rows };
    }
    if (item.enum) return { group: false, name, field, kind: 'choices', required, options: item.enum.map(String) };
    return { group: false, name, field, kind: 'lines', required };
  }
  const base = { group: false as const, name, field, required };
  if (s.const !== undefined) return { ...base, kind: 'fixed', fixed: String(s.const) };
  if (s.enum) return { ...base, kind: 'select', options: s.enum.map(String) };
  if (type === 'boolean') return { ...base, kind: 'checkbox' };
  if (type === 'number' || type === 'integer') {
    return {
      ...base,
      kind: 'number',
      min: s.minimum ?? s.exclusiveMinimum,
      max: s.maximum,
      step: type === 'integer' ? 1 : (s.multipleOf ?? 'any'),
    };
  }
  if (s.format === 'date') return { ...base, kind: 'date' };
  if (s.format === 'email') return { ...base, kind: 'email', maxLength: s.maxLength };
  return { ...base, kind: (s.maxLength ?? 0) > TEXTAREA_FROM ? 'textarea' : 'text', maxLength: s.maxLength, minLength: s.minLength };
}

function nodesOf(schema: JsonSchema, prefix: string, honourRequired = true, listRows = LIST_ROWS): FormNode[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([field, property]) =>
    controlOf(prefix ? `${prefix}.${field}` : field, field, property, honourRequired && required.has(field), listRows),
  );
}

/** The controls of a body schema, in its order; `listRows` rows for each list of objects (more to edit a longer list). */
export function formOf(body: JsonSchema, listRows = LIST_ROWS): FormNode[] {
  return nodesOf(unwrap(body), '', true, listRows);
}

/** The form's values of an object as it is (a client being edited): `requisites.inn`, `contacts.0.name`. */
export function valuesOf(value: unknown, prefix = '', into: FormData = {}): FormData {
  if (Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null)) {
    value.forEach((v, i) => valuesOf(v, `${prefix}.${i}`, into));
  } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) valuesOf(v, prefix ? `${prefix}.${k}` : k, into);
  } else if (value !== null && value !== undefined && value !== false) {
    into[prefix] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return into;
}

export type FormData = Record<string, string | string[] | undefined>;

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[value.length - 1] : value);

/**
 * The JSON body a submitted form stands for. An empty field is left out (the API says it is
 * required where it is); a number that is not one is sent as typed, so the API names the field.
 */
export function bodyOf(body: JsonSchema, form: FormData): Record<string, unknown> {
  return objectOf(unwrap(body), form, '') ?? {};
}

function valueOf(raw: JsonSchema, form: FormData, name: string): unknown {
  const s = unwrap(raw);
  const type = typeOf(s);
  if (type === 'object' && s.properties) return objectOf(s, form, name);
  if (type === 'array' && s.items) {
    const item = unwrap(s.items);
    if (typeOf(item) === 'object' && item.properties) {
      const rows: unknown[] = [];
      // As many rows as the form sent (an edited list may be longer than a new one's rows).
      const sent = Object.keys(form).flatMap((key) =>
        key.startsWith(`${name}.`) ? [Number(key.slice(name.length + 1).split('.')[0])] : [],
      );
      const count = Math.min(Math.max(-1, ...sent.filter(Number.isInteger)) + 1, s.maxItems ?? 100);
      for (let i = 0; i < count; i++) {
        const row = objectOf(item, form, `${name}.${i}`);
        if (row) rows.push(row);
      }
      return rows.length ? rows : undefined;
    }
    const given = form[name];
    const list = Array.isArray(given)
      ? given
      : (given ?? '')
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter(Boolean);
    return list.length ? list : undefined;
  }
  if (s.const !== undefined) return s.const;
  if (type === 'boolean') return one(form[name]) !== undefined;
  const text = one(form[name]);
  if (text === undefined || text.trim() === '') return undefined;
  if (type === 'number' || type === 'integer') {
    const n = Number(text.replace(/\s/g, '').replace(',', '.'));
    return Number.isFinite(n) ? n : text;
  }
  return text;
}

/** An object of the fields given, or undefined when none is (an empty row of a list). */
function objectOf(schema: JsonSchema, form: FormData, prefix: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [field, property] of Object.entries(schema.properties ?? {})) {
    const name = prefix ? `${prefix}.${field}` : field;
    const value = valueOf(property, form, name);
    if (value === undefined) continue;
    // An unticked box alone does not make a row of a list.
    if (value !== false) any = true;
    out[field] = value;
  }
  return any || !prefix ? out : undefined;
}
