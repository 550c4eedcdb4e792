// Worker tuning is configuration: what is set reaches the Worker's options, what is not leaves the
// SDK's defaults, and a setting the SDK would refuse at start is refused with the variable's name.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/env';
import { workerTuningOptions } from '../../worker/create-worker';

const BASE = { DATABASE_URL: 'postgres://localhost/x' };

describe('worker tuning', () => {
  it('passes only what is set, and the sticky queue timeout always', () => {
    const config = loadConfig({ ...BASE, WORKER_MAX_CACHED_WORKFLOWS: '500', WORKER_MAX_CONCURRENT_ACTIVITIES: '40' });
    expect(workerTuningOptions(config.worker)).toEqual({
      maxCachedWorkflows: 500,
      maxConcurrentActivityTaskExecutions: 40,
      stickyQueueScheduleToStartTimeout: 10_000,
    });
    // The cache is bounded unless told otherwise: the SDK's default outgrew the heap (bench:storm).
    expect(workerTuningOptions(loadConfig({ ...BASE, WORKER_STICKY_QUEUE_TIMEOUT: '3s' }).worker)).toEqual({
      maxCachedWorkflows: 500,
      stickyQueueScheduleToStartTimeout: 3_000,
    });
  });

  it('takes an empty value as unset, as docker-compose passes it', () => {
    const config = loadConfig({
      ...BASE,
      WORKER_MAX_CACHED_WORKFLOWS: '',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '',
      WORKER_ACTIVITY_POLLERS: '',
    });
    expect(workerTuningOptions(config.worker)).toEqual({ maxCachedWorkflows: 500, stickyQueueScheduleToStartTimeout: 10_000 });
  });

  it('refuses what the SDK would refuse, naming the variable', () => {
    expect(() => loadConfig({ ...BASE, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toThrow(/WORKER_MAX_CONCURRENT_WORKFLOW_TASKS/);
    expect(() => loadConfig({ ...BASE, WORKER_MAX_CACHED_WORKFLOWS: '-1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadConfig({ ...BASE, WORKER_STICKY_QUEUE_TIMEOUT: 'soon' })).toThrow(/WORKER_STICKY_QUEUE_TIMEOUT/);
    expect(() => loadConfig({ ...BASE, WORKER_WORKFLOW_POLLERS: '20', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '10' })).toThrow(ConfigError);
  });
});
