// Tests are TypeScript compiled by `tsc -b` (see the root "test" script); jest runs the emitted ESM.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/services', '<rootDir>/tests', '<rootDir>/bench'],
  testMatch: ['**/dist/**/*.test.js'],
  modulePathIgnorePatterns: ['<rootDir>/.*/src/'],
  transform: {},
  testTimeout: 60_000,
  // Cross-service tests start servers and SDK workers; running files in parallel on 2 cores only adds noise.
  maxWorkers: process.env.CI ? 1 : 2,
  globalSetup: '<rootDir>/jest.global-setup.js',
};
