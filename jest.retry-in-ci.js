// In CI a failed test runs once more, as upstream's CI reruns failed tests: on two shared cores, timing can fail a
// test that is right. Its first failure is printed, and jest.retry-reporter.js lists every test that needed its
// retry, so a flaky test stays visible (and is a bug to fix); a test that fails twice fails the run.
import { jest } from '@jest/globals';

if (process.env.CI) jest.retryTimes(1, { logErrorsBeforeRetry: true });
