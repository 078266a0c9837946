import { ArgumentsHost } from '@nestjs/common';
import fastify, { FastifyInstance } from 'fastify';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { jsonDepthLimit, jsonOnly, MAX_BODY_DEPTH, MAX_JSON_BYTES, registerBodyParsers } from './json-body';

/** The body parsers and checks on a real Fastify server (port 0), errors answered by the service's filter. */
describe('JSON-only bodies', () => {
  let server: FastifyInstance;
  let url: string;
  const filter = new AllExceptionsFilter();

  beforeAll(async () => {
    server = fastify();
    server.addHook('onRequest', jsonOnly);
    registerBodyParsers(server);
    server.addHook('preValidation', jsonDepthLimit);
    server.setErrorHandler((err, req, reply) => filter.catch(err, { getType: () => 'http', switchToHttp: () => ({ getResponse: () => reply, getRequest: () => req }) } as unknown as ArgumentsHost));
    server.post('/echo', async (req) => ({ body: req.body ?? 'none' }));
    server.post('/ui/form', async (req) => ({ body: req.body }));
    url = await server.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => server.close());

  const post = async (path: string, body: string | undefined, type?: string) => {
    const r = await fetch(`${url}${path}`, { method: 'POST', body, headers: type ? { 'content-type': type } : {} });
    return { status: r.status, json: (await r.json()) as any };
  };

  it('parses JSON objects and arrays, keeps a __proto__ key as a field for input inspection, and reads an empty body as {}', async () => {
    expect(await post('/echo', '{"a":[1,{"b":null}]}', 'application/json; charset=utf-8')).toEqual({ status: 200, json: { body: { a: [1, { b: null }] } } });
    expect(await post('/echo', '[1,2]', 'application/json')).toEqual({ status: 200, json: { body: [1, 2] } });
    expect((await post('/echo', '{"__proto__":{"x":1}}', 'application/json')).json.body).toEqual(JSON.parse('{"__proto__":{"x":1}}'));
    expect(await post('/echo', '', 'application/json')).toEqual({ status: 200, json: { body: {} } });
    expect(await post('/echo', undefined)).toEqual({ status: 200, json: { body: 'none' } });
  });

  it('refuses JSON that is not an object or an array, or not JSON at all, with a 400 that says what to send', async () => {
    for (const [text, what] of [['null', 'JSON null'], ['"stop"', 'a JSON string'], ['42', 'a JSON number']]) {
      expect(await post('/echo', text, 'application/json')).toEqual({ status: 400, json: { statusCode: 400, error: 'Bad Request', message: `The body is ${what}; send one JSON object.` } });
    }
    const bad = await post('/echo', '{"a":', 'application/json');
    expect(bad).toMatchObject({ status: 400, json: { statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^The body is not valid JSON \(.+\); send one JSON object/) } });
  });

  it('refuses a body over the limit with 413, and one nested too deep with a 400 naming where', async () => {
    const big = JSON.stringify({ a: 'x'.repeat(MAX_JSON_BYTES) });
    expect(await post('/echo', big, 'application/json')).toMatchObject({ status: 413, json: { statusCode: 413, error: 'Payload Too Large', message: expect.stringContaining('100 KB at most') } });
    const deep = '{"a":'.repeat(MAX_BODY_DEPTH + 1) + '1' + '}'.repeat(MAX_BODY_DEPTH + 1);
    expect(await post('/echo', deep, 'application/json')).toMatchObject({ status: 400, json: { message: `Invalid request: a: nested deeper than ${MAX_BODY_DEPTH} levels`, errors: [{ field: 'a' }] } });
  });

  it('takes forms on /ui only (at most 20 fields); any other body that is not JSON gets 415 unread', async () => {
    const fields = Array.from({ length: 25 }, (_, i) => `f${i}=${i}`).join('&');
    const form = await post('/ui/form', `csrf=a%20b&${fields}`, 'application/x-www-form-urlencoded');
    expect(form.status).toBe(200);
    expect(form.json.body.csrf).toBe('a b');
    expect(Object.keys(form.json.body)).toHaveLength(20);
    for (const [path, type] of [['/echo', 'application/x-www-form-urlencoded'], ['/echo', 'text/plain'], ['/ui/form', 'text/plain'], ['/echo', 'application/json-patch+json']]) {
      const r = await post(path, 'a=1', type);
      expect({ path, type, status: r.status, message: r.json.message }).toEqual({ path, type, status: 415, message: expect.stringMatching(/^This API takes JSON only/) });
    }
  });
});
