/**
 * Replays every recorded history under test/replay/histories against the current workflow code.
 * A non-deterministic change (a new activity call, a reordered timer) fails here: guard it with
 * patched() so pathways already running keep their old path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { CATALOGUE } from '../../domain/catalogue';
import { workflowBundle } from '../support/fixtures';

const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

test('there is a completed and an expired history for every pathway kind', () => {
  for (const kind of Object.keys(CATALOGUE)) {
    expect(files.some((f) => f.startsWith(`${kind}.`) && f.endsWith('.completed.json'))).toBe(true);
    expect(files.some((f) => f.startsWith(`${kind}.`) && f.endsWith('.expired.json'))).toBe(true);
  }
});

test('a recorded history carries the programmeEndChanged Update of a decree, and one a revival', () => {
  const updates = (file: string) =>
    (JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { events: Record<string, unknown>[] }).events
      .map(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes as { acceptedRequest?: { input?: { name?: string } } },
      )
      .filter(Boolean)
      .map((a) => a.acceptedRequest?.input?.name);
  expect(files.some((f) => updates(f).includes('programmeEndChanged'))).toBe(true);
  const revival = files.find((f) => f.includes('.revived.'));
  expect(revival).toBeDefined();
  const started = JSON.parse(fs.readFileSync(path.join(dir, revival!), 'utf8')).events[0];
  expect(JSON.stringify(started)).toContain('workflowExecutionStartedEventAttributes');
});

/** The first event's workflow input, decoded (the JSON payload converter's base64 data). */
function startInput(file: string): Record<string, unknown> {
  const started = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).events[0] as {
    workflowExecutionStartedEventAttributes: { input: { payloads: { data: string }[] } };
  };
  const data = started.workflowExecutionStartedEventAttributes.input.payloads[0]!.data;
  return JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as Record<string, unknown>;
}

test('pathways started with the definition and started by its catalogue reference are both recorded', () => {
  const pathways = files.filter((f) => !f.startsWith('scheduled.'));
  const inputs = pathways.map(startInput);
  expect(inputs.some((i) => i.definition !== undefined && i.catalogue === undefined)).toBe(true);
  const byReference = inputs.filter((i) => i.catalogue !== undefined && i.definition === undefined);
  expect(byReference.length).toBeGreaterThanOrEqual(2);
  expect(byReference[0]!.catalogue).toEqual({ kind: 'congedo-flessibilita', version: 2 });
});

test.each(files)('%s replays deterministically', async (file) => {
  const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
  expect(history.events?.length).toBeGreaterThan(10);
  await Worker.runReplayHistory({ workflowBundle: workflowBundle(), replayName: file }, history);
});
