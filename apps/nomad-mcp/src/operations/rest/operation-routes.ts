import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, Type } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { requestPrincipal } from '@nomad-mcp/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { definitionOf, OperationClass } from '../core/operation';
import { leaveValidationToExecutor, validateInput } from '../../common/validation';
import { answerAsEventStream, wantsEventStream } from './event-stream';
import { OperationExecutor } from '../core/operation.executor';
import { pathParams, restInputOf, routePath } from './rest-input';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * One thin REST controller for every operation, built from their definitions: each route gathers its
 * path parameters and its query or body into the operation's input and hands it to the executor, which
 * does everything else. Swagger documents each route from the same DTOs.
 */
export function buildOperationsController(classes: OperationClass[]): Type<unknown> {
  @ApiTags('claude')
  @ApiSecurity('api-key')
  @ApiSecurity('bearer')
  @Controller()
  class OperationsController {
    constructor(readonly executor: OperationExecutor) {}
  }
  Reflect.defineMetadata('design:paramtypes', [OperationExecutor], OperationsController);

  for (const cls of classes) {
    const def = definitionOf(cls)!;
    const key = camel(def.name);
    const params = pathParams(def.rest.path);
    const routeInput = restInputOf(def);
    const proto = OperationsController.prototype as unknown as Record<string, unknown>;
    // the executor validates the query or body (the global pipe leaves it alone), so an invalid call is audited
    if (routeInput) leaveValidationToExecutor(routeInput);
    const handler = async function (this: OperationsController, req: FastifyRequest, reply: FastifyReply, fields: unknown, ...values: string[]) {
      // path parameters join the query or body, which must not name them itself: one that does (or is not an
      // object) is checked on its own first, so the 400 names its own field instead of the path overriding it;
      // the whole input is then checked against the operation's DTO (the only check on the common path)
      const own = fields ?? {};
      const input = params.length && isRecord(own) ? { ...own, ...Object.fromEntries(params.map((p, i) => [p, values[i]])) } : own;
      const namesPathParam = params.length > 0 && (!isRecord(own) || params.some((p) => Object.hasOwn(own, p)));
      // (a route whose path holds the whole input has no class of its own: the executor refuses any extra field)
      const prepare = namesPathParam && routeInput ? async () => (await validateInput(routeInput, own), input) : undefined;
      const call = { principal: requestPrincipal(req), transport: 'rest' as const, traceparent: req.headers.traceparent };
      if (def.rest.stream && wantsEventStream(req)) return answerAsEventStream(reply, (live) => this.executor.execute(def.name, input, { ...call, ...live }, { prepare }));
      const done = await this.executor.execute(def.name, input, call, { prepare });
      reply.code(done.status);
      return done.result;
    };
    // Swagger reads parameter types by the function's own name
    Object.defineProperty(handler, 'name', { value: key });
    proto[key] = handler;
    Reflect.defineMetadata('design:paramtypes', [Object, Object, routeInput ?? Object, ...params.map(() => String)], proto, key);
    Req()(proto, key, 0);
    Res({ passthrough: true })(proto, key, 1);
    (def.rest.method === 'GET' ? Query() : Body())(proto, key, 2);
    params.forEach((p, i) => Param(p)(proto, key, 3 + i));
    const decorators: MethodDecorator[] = [
      def.rest.method === 'GET' ? Get(routePath(def.rest.path)) : Post(routePath(def.rest.path)),
      HttpCode(200),
      ApiOperation({ summary: def.title, description: def.description, operationId: def.name }),
      ApiOkResponse({ type: def.output, description: 'Done: `message` says what matters, the other fields hold the data.' }),
    ];
    if (def.rest.status) decorators.push(ApiCreatedResponse({ type: def.output, description: 'Created' }));
    if (def.rest.example) decorators.push(ApiBody({ type: routeInput ?? def.input, examples: { example: { summary: def.title, value: def.rest.example } } }));
    const descriptor = Object.getOwnPropertyDescriptor(proto, key)!;
    for (const d of decorators) d(proto, key, descriptor);
    Object.defineProperty(proto, key, descriptor);
  }
  return OperationsController;
}
