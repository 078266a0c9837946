import { BadRequestException, NotFoundException } from '@nestjs/common';
import { NomadApiError, NomadTimeoutError, NomadUnavailableError } from '@nomad-mcp/nomad';
import { ArgumentsHost } from '@nestjs/common';
import { AllExceptionsFilter, statusText, toErrorBody } from './all-exceptions.filter';

describe('toErrorBody', () => {
  it('maps Nomad failures to 404/502/503/504 with what Nomad said', () => {
    expect(toErrorBody(new NomadApiError(404, 'job not found', 'GET /v1/job/x'))).toMatchObject({ statusCode: 404, error: 'Not Found', message: 'Nomad: job not found' });
    expect(toErrorBody(new NomadApiError(403, 'Permission denied', 'GET /v1/jobs'))).toMatchObject({ statusCode: 502, nomad_status: 403, message: expect.stringMatching(/token lacks permission for GET \/v1\/jobs \(Nomad said: Permission denied\)/) });
    expect(toErrorBody(new NomadApiError(500, 'boom', 'PUT /v1/jobs'))).toMatchObject({ statusCode: 502, error: 'Bad Gateway', message: 'Nomad rejected PUT /v1/jobs with 500: boom' });
    expect(toErrorBody(new NomadUnavailableError('http://n:4646', 'ECONNREFUSED', 'GET /v1/jobs'))).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(toErrorBody(new NomadTimeoutError('http://n:4646', 500, 'GET /v1/jobs'))).toMatchObject({ statusCode: 504, error: 'Gateway Timeout' });
  });

  it("passes on the HTTP layer's client errors (Fastify's FST_ codes) with their status and what to do; nothing else", () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(toErrorBody(tooLarge)).toEqual({ statusCode: 413, error: 'Payload Too Large', message: 'Request body is too large; JSON bodies may be 100 KB at most: send a smaller one.' });
    const other = Object.assign(new Error("Body cannot be empty when content-type is set to 'application/json'"), { statusCode: 400, code: 'FST_ERR_CTP_EMPTY_JSON_BODY' });
    expect(toErrorBody(other)).toEqual({ statusCode: 400, error: 'Bad Request', message: other.message });
    // a 4xx that is not the HTTP layer's own, or a 5xx that is, says nothing of itself
    expect(toErrorBody(Object.assign(new Error('internal'), { statusCode: 404, code: 'ENOENT /srv/app' })).statusCode).toBe(500);
    expect(toErrorBody(Object.assign(new Error('internal'), { statusCode: 500, code: 'FST_ERR_X' })).statusCode).toBe(500);
  });

  it('names statuses as HTTP does', () => {
    expect([404, 413, 414, 429, 505, 599].map(statusText)).toEqual(['Not Found', 'Payload Too Large', 'URI Too Long', 'Too Many Requests', 'HTTP Version Not Supported', 'Error']);
  });

  it('keeps HttpException bodies and never exposes unknown errors', () => {
    expect(toErrorBody(new NotFoundException("job 'x' not found"))).toEqual({ statusCode: 404, error: 'Not Found', message: "job 'x' not found" });
    expect(toErrorBody(new BadRequestException({ message: 'Invalid request: a: b', errors: [{ field: 'a', reasons: ['b'] }] }))).toMatchObject({ statusCode: 400, errors: [{ field: 'a' }] });
    const body = toErrorBody(new Error('secret internals at /srv/app.ts:12'));
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error; the server log has the details.' });
  });
});

describe('AllExceptionsFilter on a Fastify reply', () => {
  const written: unknown[] = [];
  const replyOf = (state: { sent: boolean; headersSent: boolean }) => {
    const raw = {
      headersSent: state.headersSent, writableEnded: false,
      writeHead: (status: number, headers: unknown) => (written.push(['writeHead', status, headers]), raw),
      end: (text?: string) => written.push(['end', text && JSON.parse(text)]),
    };
    return { sent: state.sent, raw, code: (status: number) => ({ send: (body: unknown) => written.push(['send', status, body]) }) };
  };
  const hostOf = (reply: unknown, url = '/api/claude/list-jobs') => ({ getType: () => 'http', switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ url }) }) }) as unknown as ArgumentsHost;
  const filter = new AllExceptionsFilter();
  beforeEach(() => written.splice(0));

  it('sends the error body; on a reply its handler took over (MCP) writes it itself; mid-stream only ends it', () => {
    filter.catch(new NotFoundException('gone'), hostOf(replyOf({ sent: false, headersSent: false })));
    filter.catch(new NotFoundException('gone'), hostOf(replyOf({ sent: true, headersSent: false })));
    filter.catch(new NotFoundException('gone'), hostOf(replyOf({ sent: true, headersSent: true })));
    const body = { statusCode: 404, error: 'Not Found', message: 'gone' };
    expect(written).toEqual([
      ['send', 404, body],
      ['writeHead', 404, { 'content-type': 'application/json; charset=utf-8' }], ['end', body],
      ['end', undefined],
    ]);
  });
});
