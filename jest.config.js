// Tests are TypeScript compiled by `tsc -b` (see the root "test" script); jest runs the emitted ESM.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/services', '<rootDir>/tests', '<rootDir>/bench'],
  testMatch: ['**/dist/**/*.test.js'],
  modulePathIgnorePatterns: ['<rootDir>/.*/src/'],
  transform: {},
  testTimeout: 60_000,
  // Two worker processes, in CI too: each test file's servers, SDK runtime and stray timers stay in a worker
  // process instead of one shared in-band process (where the 1,000-workflow concurrency test hung after 100 files).
  maxWorkers: 2,
  globalSetup: '<rootDir>/jest.global-setup.js',
  setupFilesAfterEnv: ['<rootDir>/jest.retry-in-ci.js'],
  reporters: ['default', '<rootDir>/jest.retry-reporter.js'],
};
