/**
 * Where Nomad's OpenAPI description (HashiCorp's openapi.yaml) is found, and what to do when it is not.
 * Plain CommonJS so Jest's globalSetup can load it untransformed; test/support/openapi.ts uses it too.
 *
 * The spec is not part of this repository: NOMAD_API_SPEC_DIR names the folder holding openapi.yaml, else a
 * `shared/nomad-api` folder beside the clone is used. Without it the shape checks are skipped (one line says
 * so); REQUIRE_NOMAD_API_SPEC=1 (set by .ci/run) turns that skip into a failure, so CI never skips them.
 */
const { existsSync } = require('node:fs');
const { resolve } = require('node:path');

const SPEC_DIR = process.env.NOMAD_API_SPEC_DIR
  ? resolve(process.env.NOMAD_API_SPEC_DIR)
  : resolve(__dirname, '../../../shared/nomad-api');
const SPEC_FILE = resolve(SPEC_DIR, 'openapi.yaml');
const SPEC_REQUIRED = process.env.REQUIRE_NOMAD_API_SPEC === '1';

const specAvailable = () => existsSync(SPEC_FILE);

const missingSpecText = () =>
  `Nomad's OpenAPI spec not found at ${SPEC_FILE}: the shape checks against it are ` +
  `${SPEC_REQUIRED ? 'required (REQUIRE_NOMAD_API_SPEC=1)' : 'skipped'}; ` +
  'to run them, set NOMAD_API_SPEC_DIR=/path/to/nomad-api (the folder holding openapi.yaml).';

/** Jest globalSetup: the one line (or the failure) before any test runs. */
async function announceSpec() {
  if (specAvailable()) return;
  if (SPEC_REQUIRED) throw new Error(missingSpecText());
  process.stderr.write(`\n${missingSpecText()}\n`);
}

module.exports = announceSpec;
Object.assign(module.exports, { SPEC_DIR, SPEC_FILE, SPEC_REQUIRED, specAvailable, missingSpecText });
