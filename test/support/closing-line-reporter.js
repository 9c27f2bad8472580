/**
 * Ends a jest run with one plain line, `jest: N passed, N failed[, N skipped]`, after jest's own
 * summary. CI logs are read by their closing line, and that form is one any reader of test logs
 * understands; jest's summary ("Tests: 2 skipped, 685 passed, 687 total") is not. A test file that
 * fails to load counts as one failure. Jest prints its summary after every custom reporter and then
 * "Ran all test suites.", so the line is written as the process exits (synchronous on files and
 * pipes).
 */
class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    const line = `jest: ${results.numPassedTests} passed, ${failed} failed${tail}\n`;
    process.once('exit', () => process.stdout.write(line));
  }
}

module.exports = ClosingLineReporter;
