import { registerDecorator, ValidationOptions } from 'class-validator';
import { ENV_NAME } from './patterns';

/** A map of environment variable names to string values (at most 100 entries, 32 KiB per value). */
export function IsEnvMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isEnvMap',
      target: target.constructor,
      propertyName,
      options: {
        message: 'env_vars must map names (letters, digits, "_", ".", not starting with a digit) to string values, at most 100 entries',
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (value === undefined || value === null) return true;
          if (typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value as Record<string, unknown>);
          return entries.length <= 100 && entries.every(([k, v]) => ENV_NAME.test(k) && typeof v === 'string' && v.length <= 32768);
        },
      },
    });
}
