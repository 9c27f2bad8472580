/**
 * Starts the durable fan-out of a decree into the running pathways of its edition: one workflow
 * per decree, `decree-<decreeId>`, so a retried start meets the one already running. The workflow
 * itself (programmeDecreeWorkflow) is registered by the worker; until a worker runs it, the start
 * is recorded by Temporal and waits on the task queue.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { DecreeFanOutInput } from '../workflows/messages';

export type { DecreeFanOutInput };

export const decreeFanOutWorkflowId = (decreeId: string) => `decree-${decreeId}`;

export async function startDecreeFanOut(temporal: Client, input: DecreeFanOutInput): Promise<{ workflowId: string }> {
  const workflowId = decreeFanOutWorkflowId(input.decreeId);
  try {
    await temporal.workflow.start('programmeDecreeWorkflow', { taskQueue: input.taskQueue, workflowId, args: [input] });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { workflowId };
}
