import {
  NomadApiError,
  NomadBadResponseError,
  NomadProtocolError,
  NomadResponseTooLargeError,
  NomadTimeoutError,
  NomadTruncatedResponseError,
  NomadUnavailableError,
  writeMayHaveApplied,
} from './nomad.errors';

const NOMAD = 'http://nomad:4646';

describe('writeMayHaveApplied', () => {
  it('is true for a write whose answer was lost: timeout, cut off, reset, unreadable or of the wrong shape', () => {
    expect(writeMayHaveApplied(new NomadTimeoutError(NOMAD, 1000, 'DELETE /v1/job/web'))).toBe(true);
    expect(writeMayHaveApplied(new NomadTruncatedResponseError(NOMAD, 'PUT /v1/jobs', 12, 'ECONNRESET'))).toBe(true);
    expect(writeMayHaveApplied(new NomadUnavailableError(NOMAD, 'ECONNRESET', 'POST /v1/job/web/evaluate'))).toBe(true);
    expect(writeMayHaveApplied(new NomadUnavailableError(NOMAD, 'socket hang up', 'PUT /v1/jobs'))).toBe(true);
    expect(writeMayHaveApplied(new NomadProtocolError(NOMAD, 'PUT /v1/jobs', 'text/html'))).toBe(true);
    expect(writeMayHaveApplied(new NomadBadResponseError(NOMAD, 'PUT /v1/jobs', 'an object with an EvalID'))).toBe(true);
    expect(writeMayHaveApplied(new NomadResponseTooLargeError(NOMAD, 'PUT /v1/jobs', 1024))).toBe(true);
  });

  it('is false when nothing can have changed: a read, a refused connection, an unknown host, or Nomad saying no', () => {
    expect(writeMayHaveApplied(new NomadTimeoutError(NOMAD, 1000, 'GET /v1/jobs'))).toBe(false);
    expect(writeMayHaveApplied(new NomadUnavailableError(NOMAD, 'ECONNREFUSED', 'DELETE /v1/job/web'))).toBe(false);
    expect(writeMayHaveApplied(new NomadUnavailableError(NOMAD, 'ENOTFOUND', 'PUT /v1/jobs'))).toBe(false);
    expect(writeMayHaveApplied(new NomadApiError(500, 'rpc error: eval broker disabled', 'PUT /v1/jobs'))).toBe(false);
    expect(writeMayHaveApplied(new Error('not a Nomad error'))).toBe(false);
  });
});
