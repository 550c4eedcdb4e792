// A step's form as a page draws it: each control with its label in the person's language, its
// choices (an enum's values, or people and clients for an id), the value typed before and the
// API's word on it when it was refused.
import { hasMessage, translate, type Language } from './i18n';
import type { FormData, FormNode } from './forms';
import type { PageStep, StepTarget } from './steps';

export interface Choice {
  value: string;
  label: string;
}

/** Choices for fields that name someone or something by id (`clientId`, `managerId`, `ownerId`). */
export type Pickers = Record<string, Choice[]>;

export interface ControlView {
  group: boolean;
  id: string;
  name: string;
  label: string;
  kind?: string;
  required?: boolean;
  options?: (Choice & { selected: boolean })[];
  value?: string;
  checked?: boolean;
  min?: number;
  max?: number;
  step?: number | 'any';
  maxLength?: number;
  error?: string;
  hint?: string;
  fixed?: string;
  controls?: ControlView[];
  rows?: { legend: string; controls: ControlView[] }[];
  /** An optional group shown folded until opened (open when something in it is filled or refused). */
  folded?: boolean;
  opened?: boolean;
}

const filled = (controls: ControlView[] | undefined): boolean =>
  (controls ?? []).some((c) => Boolean(c.value || c.checked || c.error || c.options?.some((o) => o.selected)) || filled(c.controls));

export interface FormView {
  key: string;
  url: string;
  method: string;
  name: string;
  title: string;
  /** The button's text. */
  submit: string;
  controls: ControlView[];
  /** A new key for every form drawn: a form sent twice is one step. */
  idempotencyKey: string;
  back: string;
  error?: string;
  hidden: { name: string; value: string }[];
}

export const labelOf = (language: Language, field: string): string =>
  hasMessage(`field.${field}`) ? translate(language, `field.${field}`) : field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

const valueLabel = (language: Language, value: string): string =>
  hasMessage(`value.${value}`) ? translate(language, `value.${value}`) : value.replace(/_/g, ' ');

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[v.length - 1] : v);

/** Labels that come with the form rather than the catalog (a questionnaire's questions). */
export interface FormWords {
  labels?: Record<string, string>;
  hints?: Record<string, string>;
  optionLabels?: Record<string, Record<string, string>>;
}

function controlsOf(
  nodes: FormNode[],
  language: Language,
  values: FormData,
  issues: Map<string, string>,
  pickers: Pickers,
  prefix: string,
  words: FormWords,
): ControlView[] {
  return nodes.map((node) => {
    const id = `${prefix}${node.name}`.replace(/[^A-Za-z0-9_-]/g, '-');
    const label = words.labels?.[node.name] ?? labelOf(language, node.field);
    if (node.group) {
      const controls = controlsOf(node.controls, language, values, issues, pickers, prefix, words);
      return {
        group: true,
        id,
        name: node.name,
        label,
        required: node.required,
        error: issues.get(node.name),
        controls,
        rows: node.rows?.map((row, i) => ({
          legend: `${label} ${i + 1}`,
          controls: controlsOf(row, language, values, issues, pickers, prefix, words),
        })),
        folded: !node.required && !node.rows,
        opened: filled(controls) || issues.has(node.name),
      };
    }
    const given = values[node.name];
    const value = Array.isArray(given) && node.kind === 'choices' ? undefined : one(given);
    const picked = pickers[node.field];
    const ownLabels = words.optionLabels?.[node.name];
    const enumOptions = node.options?.map((v) => ({ value: v, label: ownLabels?.[v] ?? valueLabel(language, v) }));
    const options = (picked ?? enumOptions)?.map((o) => ({
      ...o,
      selected: Array.isArray(given) ? given.includes(o.value) : value === o.value,
    }));
    return {
      group: false,
      id,
      name: node.name,
      label,
      kind: picked ? 'select' : node.kind,
      required: node.required,
      options,
      value,
      checked: node.kind === 'checkbox' ? given !== undefined : undefined,
      min: node.min,
      max: node.max,
      step: node.step,
      maxLength: node.maxLength,
      error: issues.get(node.name),
      hint: words.hints?.[node.name],
      fixed: node.fixed,
    };
  });
}

export function formView(
  language: Language,
  target: StepTarget,
  options: {
    values?: FormData;
    issues?: { path: string; message: string }[];
    pickers?: Pickers;
    back: string;
    error?: string;
    idempotencyKey: string;
    /** Drawn more than once on a page (one per task): ids kept apart. */
    prefix?: string;
    words?: FormWords;
    /** Hidden fields the form carries back (the questionnaire its answers belong to). */
    hidden?: Record<string, string>;
  },
): FormView {
  const { step } = target;
  const issues = new Map((options.issues ?? []).map((i) => [i.path, i.message]));
  return {
    key: step.key,
    url: target.url,
    method: step.method,
    name: step.name,
    title: stepTitle(language, step),
    submit: hasMessage(`submit.${step.name}`) ? translate(language, `submit.${step.name}`) : translate(language, 'form.send'),
    controls: controlsOf(
      step.form,
      language,
      options.values ?? {},
      issues,
      options.pickers ?? {},
      options.prefix ?? '',
      options.words ?? {},
    ),
    hidden: Object.entries(options.hidden ?? {}).map(([name, value]) => ({ name, value })),
    idempotencyKey: options.idempotencyKey,
    back: options.back,
    error: options.error,
  };
}

export const stepTitle = (language: Language, step: PageStep): string =>
  hasMessage(`step.${step.name}`) ? translate(language, `step.${step.name}`) : step.spec.summary;
