import { BadRequestException, ValidationError, ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';

export interface FieldError {
  field: string;
  reasons: string[];
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    if (e.constraints) out.push({ field, reasons: Object.values(e.constraints) });
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** One 400 that names each bad field and why: "Invalid request: job_id: ...; count: ...". */
export function validationException(errors: ValidationError[]): BadRequestException {
  const fields = flatten(errors);
  const message = `Invalid request: ${fields.map((f) => `${f.field}: ${f.reasons.join(', ')}`).join('; ')}`;
  return new BadRequestException({ message, errors: fields });
}

/** The validator settings of the REST ValidationPipe and the MCP tool argument check, so both reject alike. */
const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true };

export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  transform: true,
  ...VALIDATOR_OPTIONS,
  exceptionFactory: validationException,
};

/** Validates plain input against a DTO class as the REST pipe would; throws the same 400. */
export async function validateInput<T extends object>(cls: new () => T, input: unknown): Promise<T> {
  if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new BadRequestException('Invalid request: arguments must be a JSON object');
  }
  const instance = plainToInstance(cls, input ?? {});
  const errors = await validate(instance, VALIDATOR_OPTIONS);
  if (errors.length) throw validationException(errors);
  return instance;
}
