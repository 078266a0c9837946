/** Three projects: unit specs beside the code, e2e over real sockets, and the simulator conformance suite. */
const tsJest = [
  'ts-jest',
  {
    tsconfig: 'tsconfig.json',
    isolatedModules: false,
    diagnostics: { warnOnly: false },
    astTransformers: { before: ['<rootDir>/test/support/swagger-transformer.js'] },
  },
];

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // dist/ holds a copy of package.json (the version is read from it): not a module for Jest to map
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  moduleNameMapper: {
    '^@nomad-mcp/nomad$': '<rootDir>/libs/nomad/src',
    '^@nomad-mcp/auth$': '<rootDir>/libs/auth/src',
    // one file of a library without its index (which loads Nest): what light code (the CLI, settings) imports
    '^@nomad-mcp/(auth|nomad)/(.*)$': '<rootDir>/libs/$1/src/$2',
    '^@nomad-mcp/nomad-sim$': '<rootDir>/apps/nomad-sim/src',
  },
};

// Nomad's OpenAPI spec lives outside the repository: one line when it is missing (the shape checks skip), or a
// failure with REQUIRE_NOMAD_API_SPEC=1. Projects that share a globalSetup path run it once.
const announceSpec = '<rootDir>/test/support/nomad-api-spec.js';

module.exports = {
  // against a real Nomad (npm run test:conformance with NOMAD_ADDR) deployments take minutes
  testTimeout: process.env.CONFORMANCE_USE_NOMAD_ADDR && process.env.NOMAD_ADDR ? 600000 : 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/apps/**/src/**/*.spec.ts', '<rootDir>/libs/**/src/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], globalSetup: announceSpec },
    { ...common, displayName: 'conformance', testMatch: ['<rootDir>/apps/nomad-sim/test/**/*.conformance.ts'], globalSetup: announceSpec },
  ],
};
