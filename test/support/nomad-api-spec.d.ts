/** Types of nomad-api-spec.js (plain JS because Jest's globalSetup loads it untransformed). */
declare function announceSpec(): Promise<void>;
declare namespace announceSpec {
  const SPEC_DIR: string;
  const SPEC_FILE: string;
  const SPEC_REQUIRED: boolean;
  function specAvailable(): boolean;
  function missingSpecText(): string;
}
export = announceSpec;
