import { ArgumentMetadata, BadRequestException, Injectable, ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { inspectInput } from './input-inspection';
import { memoizeValidationMetadata } from './validation-metadata-memo';

memoizeValidationMetadata();

export interface FieldError {
  field: string;
  reasons: string[];
}

/** class-validator's type checks: when one fails, the range checks beside it say nothing true (`limit=abc`). */
const TYPE_CHECKS = new Set(['isInt', 'isNumber', 'isBoolean', 'isString', 'isArray', 'isObject', 'isEnum', 'isDateString']);

/** A field's reasons: its failed type check alone when there is one, else every failed check. */
function reasonsOf(constraints: Record<string, string>): string[] {
  const types = Object.entries(constraints).filter(([name]) => TYPE_CHECKS.has(name));
  return (types.length ? types : Object.entries(constraints)).map(([, reason]) => reason);
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    if (e.constraints) out.push({ field, reasons: reasonsOf(e.constraints) });
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** One 400 that names each bad field and why: "Invalid request: job_id: ...; count: ...". */
export function fieldErrorsException(fields: FieldError[]): BadRequestException {
  const message = `Invalid request: ${fields.map((f) => `${f.field}: ${f.reasons.join(', ')}`).join('; ')}`;
  return new BadRequestException({ message, errors: fields });
}

export function validationException(errors: ValidationError[]): BadRequestException {
  return fieldErrorsException(flatten(errors));
}

/** Rejects raw input class-transformer would choke on or silently drop (see input-inspection.ts). */
export function assertSafeInput(input: unknown): void {
  const problems = inspectInput(input);
  if (problems.length) throw fieldErrorsException(problems);
}

/** The validator settings of the REST ValidationPipe and the MCP tool argument check, so both reject alike. */
const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };

export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  transform: true,
  ...VALIDATOR_OPTIONS,
  exceptionFactory: validationException,
};

/**
 * Input classes the REST pipe leaves to the operation executor: it validates them as a step of the call, so a
 * refused change is an 'invalid' call in the audit trail (as over MCP) instead of a 400 nothing recorded.
 */
const validatedByExecutor = new WeakSet<object>();

/** Marks a route's input class as validated by the executor (operation routes and POST /api/claude/jobs). */
export function leaveValidationToExecutor(cls: object): void {
  validatedByExecutor.add(cls);
}

/** The REST pipe: the raw-input check, then class-validator with VALIDATION_OPTIONS (as validateInput). */
@Injectable()
export class InputValidationPipe extends ValidationPipe {
  constructor() {
    super(VALIDATION_OPTIONS);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.metatype && validatedByExecutor.has(metadata.metatype)) return value;
    if (metadata.type !== 'custom') assertSafeInput(value);
    return super.transform(value, metadata);
  }
}

/** Validates plain input against a DTO class as the REST pipe would; throws the same 400. */
export async function validateInput<T extends object>(cls: new () => T, input: unknown): Promise<T> {
  if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new BadRequestException('Invalid request: arguments must be a JSON object');
  }
  assertSafeInput(input);
  const instance = plainToInstance(cls, input ?? {});
  const errors = await validate(instance, VALIDATOR_OPTIONS);
  if (errors.length) throw validationException(errors);
  return instance;
}
