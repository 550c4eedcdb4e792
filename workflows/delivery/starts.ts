// How the delivery workflows are started, by whoever starts them (the step recorder after a step,
// the delivery round, the API's redelivery): their type, their id, which makes a start of work
// already under way a no-op, and their input. Pure data, so workflows, activities and the API agree.

/** How long deliveries are tried, carried in each delivery workflow's input (workflows read no configuration). */
export interface DeliveryWindows {
  mailRetryForMs: number;
  webhookRetryForMs: number;
  /** One webhook call's deadline. */
  webhookTimeoutMs: number;
}

export interface DeliveryStart {
  workflowType: 'deliverStepNews' | 'deliverDigest' | 'redeliverWebhook' | 'deliveryRound';
  workflowId: string;
  args: unknown[];
}

/** The delivery workflows run on their own task queue beside the processes', with their own slots. */
export const deliveryTaskQueue = (processQueue: string): string => `${processQueue}-delivery`;

/** How many of each a step has to send, when whoever starts its delivery knows. */
export interface StepNewsCount {
  mail: number;
  webhooks: number;
}

/** A step's mails and webhook calls: one workflow per step, named after it. */
export const stepNewsStart = (stepKey: string, windows: DeliveryWindows, planned?: StepNewsCount): DeliveryStart => ({
  workflowType: 'deliverStepNews',
  workflowId: `deliver:${stepKey}`,
  args: [{ stepKey, windows, ...(planned ? { planned } : {}) }],
});

export const digestStart = (digestId: string, windows: DeliveryWindows): DeliveryStart => ({
  workflowType: 'deliverDigest',
  workflowId: `digest:${digestId}`,
  args: [{ digestId, windows }],
});

/** The `n`th redelivery of a webhook delivery an administrator asked for. */
export const redeliveryStart = (deliveryId: string, n: number, windows: DeliveryWindows): DeliveryStart => ({
  workflowType: 'redeliverWebhook',
  workflowId: `redeliver:${deliveryId}:${n}`,
  args: [{ deliveryId, windows }],
});

/** The schedule of the delivery round, one per task queue. */
export const deliveryRoundScheduleId = (processQueue: string): string => `delivery-round:${processQueue}`;
