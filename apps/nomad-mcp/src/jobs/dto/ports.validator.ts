import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

type Port = { Label?: unknown; Value?: unknown };

/**
 * Why a list of ports cannot be one group's network, as Nomad's validation would refuse it after the
 * round trip (a register answered 500): two ports with one label, or two reserving one static host port.
 */
export function portsConflict(ports: unknown): string | undefined {
  if (!Array.isArray(ports)) return undefined;
  const labels = new Map<unknown, number>();
  const statics = new Map<unknown, number>();
  for (const [i, p] of (ports as Port[]).entries()) {
    if (!p || typeof p !== 'object') continue;
    const sameLabel = labels.get(p.Label);
    if (sameLabel !== undefined) return `ports[${i}].Label '${String(p.Label)}' is already the label of ports[${sameLabel}]; give each port its own label`;
    labels.set(p.Label, i);
    if (typeof p.Value === 'number' && p.Value > 0) {
      const sameValue = statics.get(p.Value);
      if (sameValue !== undefined) return `ports[${i}].Value: static port ${p.Value} is already reserved by ports[${sameValue}]; use another port, or 0 for a dynamic one`;
      statics.set(p.Value, i);
    }
  }
  return undefined;
}

/** Each port its own label and its own static host port (see portsConflict). */
export function HasDistinctPorts(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'hasDistinctPorts',
      target: target.constructor,
      propertyName,
      options: { message: (a: ValidationArguments) => portsConflict(a.value) ?? 'ports must be distinct', ...options },
      validator: { validate: (value: unknown) => portsConflict(value) === undefined },
    });
}
