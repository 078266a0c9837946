import { Inject, Injectable, OnModuleInit, Type } from '@nestjs/common';
import { restInputOf } from '../rest/rest-input';
import { ModuleRef } from '@nestjs/core';
import { definitionOf, OperationClass, OperationDefinition, OperationHandler } from './operation';

export const OPERATION_CLASSES = Symbol('nomad-mcp:operation-classes');

export interface RegisteredOperation {
  def: OperationDefinition;
  handler: OperationHandler;
}

/** Every operation of the service, in tool order: what REST routes, MCP tools/list and exported tools are made of. */
@Injectable()
export class OperationRegistry implements OnModuleInit {
  private readonly byName = new Map<string, RegisteredOperation>();
  private readonly ordered: RegisteredOperation[] = [];

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(OPERATION_CLASSES) private readonly classes: OperationClass[],
  ) {}

  /** Instances are taken once every provider is built (in a constructor they may not be yet). */
  onModuleInit(): void {
    for (const cls of this.classes) {
      const op = { def: definitionOf(cls)!, handler: this.moduleRef.get(cls, { strict: false }) };
      this.byName.set(op.def.name, op);
      this.ordered.push(op);
    }
  }

  all(): readonly RegisteredOperation[] {
    return this.ordered;
  }

  find(name: string): RegisteredOperation | undefined {
    return this.byName.get(name);
  }

  /** The definitions, in tool order; available before the application is initialised (the OpenAPI document needs them). */
  definitions(): OperationDefinition[] {
    return this.classes.map((c) => definitionOf(c)!);
  }

  /** Every input and answer class (and the REST query/body classes derived from them), for the OpenAPI document. */
  models(): Type<object>[] {
    return [...new Set(this.classes.flatMap((c) => {
      const def = definitionOf(c)!;
      return [def.input, def.output, restInputOf(def)].filter((m): m is Type<object> => !!m);
    }))];
  }

  names(): string[] {
    return this.ordered.map((o) => o.def.name);
  }
}
