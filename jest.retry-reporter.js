// Lists, after the summary, the tests that passed only on their retry (see jest.retry-in-ci.js).
export default class RetryReporter {
  onRunComplete(_contexts, results) {
    const retried = results.testResults.flatMap((file) =>
      file.testResults
        .filter((test) => (test.retryReasons?.length ?? 0) > 0)
        .map((test) => `${file.testFilePath}: ${test.fullName} (${test.status} after ${test.invocations} runs)`),
    );
    if (retried.length === 0) return;
    console.log(`\nTests that needed a retry (${retried.length}):\n  ${retried.join('\n  ')}\n`);
  }
}
