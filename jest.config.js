// Nest 12 packages are ESM-only; SWC transforms them for jest (see README, "Development").
const common = {
  transform: { '^.+\\.(t|j|mj)s$': '@swc/jest' },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|file-type|strtok3|token-types|@tokenizer|uint8array-extras|d3-hierarchy)/)'],
  moduleNameMapper: { '^d3-hierarchy$': '<rootDir>/node_modules/d3-hierarchy/dist/d3-hierarchy.js' },
  testEnvironment: 'node',
};
module.exports = {
  // testTimeout is a global option (ignored inside a project): e2e tests start apps and run assessments.
  // Generous: a timeout only guards against a hang, and a busy machine (another suite beside this
  // one) makes real-engine runs several times slower.
  testTimeout: 600000,
  // A PostgreSQL run gets a database of its own (test/support/postgres-database.js).
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
