/**
 * `npm run bench [-- enrollment|reports|reminders|history|import|signin|actions|decree|first-start|cli-start|workspace|documents ...]`: the benchmarks, each printing its
 * figures as JSON with a baseline measured in the same run. Not part of `npm test`.
 */
import { benchActions } from './actions';
import { benchDecree } from './decree';
import { benchDocuments } from './documents';
import { benchEnrollment } from './enrollment';
import { benchEnrollmentImport } from './enrollment-import';
import { benchCliStart } from './cli-start';
import { benchFirstStart } from './first-start';
import { benchHistory } from './history';
import { benchReminders } from './reminders';
import { benchReports } from './reports';
import { benchSignin } from './signin';
import { benchWorkspace } from './workspace';

const ALL: Record<string, () => Promise<void>> = {
  enrollment: benchEnrollment,
  reports: benchReports,
  reminders: benchReminders,
  history: benchHistory,
  import: benchEnrollmentImport,
  signin: benchSignin,
  actions: benchActions,
  decree: benchDecree,
  'first-start': benchFirstStart,
  'cli-start': benchCliStart,
  workspace: benchWorkspace,
  documents: benchDocuments,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in ALL));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark ${unknown.join(', ')}: choose from ${Object.keys(ALL).join(', ')}`);
  for (const name of wanted.length > 0 ? wanted : Object.keys(ALL)) {
    process.stderr.write(`\n== ${name} ==\n`);
    await ALL[name]!();
  }
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
