/**
 * Starts the durable fan-out of a recorded decree (workflows/programme-decree.ts): one workflow per
 * ProgrammeDecree row, so recording the same decree again starts nothing new.
 */
import type { Client } from '@temporalio/client';
import type { DecreeFanOutInput } from '../workflows/messages';

export async function startDecreeFanOut(temporal: Client, input: DecreeFanOutInput): Promise<{ workflowId: string }> {
  const handle = await temporal.workflow.start('programmeDecreeWorkflow', {
    taskQueue: input.taskQueue,
    workflowId: `decree-${input.decreeId}`,
    args: [input],
  });
  return { workflowId: handle.workflowId };
}
