// Every text the pages draw comes from the catalogs, in both languages: the name of every step
// they offer, every field of its form and every choice of it, every stage of every process and
// every task its steps answer. A process added later fails here until its words are written.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { PROCESS_APIS } from '../../api/process-apis';
import { pageSettingsFrom } from '../../pages/settings';
import { pageStepsOf } from '../../pages/steps';
import type { FormNode } from '../../pages/forms';
import { en } from '../../pages/messages/en';
import { ru } from '../../pages/messages/ru';
import { QUIET_CONTRACT_SLA } from '../support/harness';
import { EVENT_TYPES } from '../../workflows/process-events';
import { NOTIFICATION_KINDS } from '../../workflows/engine/notifications';
import { DELIVERY_MODES } from '../../db/delivery/settings';

// Nothing is asked of Postgres or Temporal: the app is only read for its routes.
const app = createApp({
  db: {} as never,
  temporal: {} as never,
  config: {
    adminToken: 'a'.repeat(20),
    contract: QUIET_CONTRACT_SLA,
    temporal: { address: '127.0.0.1:1', namespace: 'default', taskQueue: 'catalog', callTimeoutMs: 1_000 },
  },
  pages: pageSettingsFrom({}),
});
const steps = pageStepsOf(app);

function walk(nodes: readonly FormNode[], fields: Set<string>, values: Set<string>): void {
  for (const node of nodes) {
    fields.add(node.field);
    if (node.group) {
      walk(node.controls, fields, values);
      for (const row of node.rows ?? []) walk(row, fields, values);
    } else for (const option of node.options ?? []) values.add(option);
  }
}

const missing = (keys: Iterable<string>) => [...keys].filter((key) => !(key in ru) || !(key in en));

describe('the pages’ catalogs', () => {
  it('have the same keys in Russian and English, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ru).sort());
    expect(Object.entries({ ...ru, ...en }).filter(([, text]) => !text.trim())).toEqual([]);
  });

  it('name every step the pages offer, every field of its form and every choice', () => {
    expect(steps.length).toBeGreaterThan(25);
    const fields = new Set<string>();
    const values = new Set<string>();
    for (const step of steps) walk(step.form, fields, values);
    expect(missing(steps.map((s) => `step.${s.name}`))).toEqual([]);
    expect(missing([...fields].map((f) => `field.${f}`))).toEqual([]);
    expect(missing([...values].map((v) => `value.${v}`))).toEqual([]);
  });

  it('name every process, every stage and every task a step answers', () => {
    expect(missing(Object.keys(PROCESS_APIS).map((type) => `process.${type}`))).toEqual([]);
    expect(missing(Object.values(PROCESS_APIS).flatMap((p) => p.stages.map((s) => `stage.${s}`)))).toEqual([]);
    const tasks = new Set(steps.flatMap((s) => s.spec.offer?.tasks ?? []));
    expect(missing([...tasks, 'escalation'].map((k) => `task.${k}`))).toEqual([]);
  });

  it('name every event a webhook may hear, every kind of notification in mails and settings, and every way to receive it', () => {
    expect(missing(EVENT_TYPES.map((type) => `hook.${type}`))).toEqual([]);
    expect(missing(NOTIFICATION_KINDS.flatMap((kind) => [`mail.kind.${kind}`, `notify.kind.${kind}`]))).toEqual([]);
    expect(missing(DELIVERY_MODES.map((mode) => `notify.${mode}`))).toEqual([]);
  });
});
