import { lazyDateTimeFormat, withLazyDateTimeFormat } from './start-up-date-format';

describe('start-up date format', () => {
  const when = Date.UTC(2026, 10, 30, 8, 15, 42);
  const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit', hour: 'numeric', minute: 'numeric', second: 'numeric', timeZone: 'UTC' };

  it('formats exactly as the real Intl.DateTimeFormat, built on first use, and is an instance of it', () => {
    const Real = Intl.DateTimeFormat;
    let built = 0;
    const Counting = function (this: unknown, ...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      built++;
      return new Real(...args);
    } as unknown as typeof Intl.DateTimeFormat;
    Object.assign(Counting, { prototype: Real.prototype });
    const lazy = new (lazyDateTimeFormat(Counting))('en-US', options);
    expect(built).toBe(0);
    expect(lazy).toBeInstanceOf(Real);
    const real = new Real('en-US', options);
    expect(lazy.format(when)).toBe(real.format(when));
    expect(built).toBe(1);
    expect(lazy.formatToParts(when)).toEqual(real.formatToParts(when));
    expect(lazy.formatRange(when, when + 86_400_000)).toBe(real.formatRange(when, when + 86_400_000));
    expect(lazy.resolvedOptions()).toEqual(real.resolvedOptions());
    expect(built).toBe(1);
  });

  it('puts the real Intl.DateTimeFormat back after loading, and when loading throws', () => {
    const Real = Intl.DateTimeFormat;
    let during: unknown;
    withLazyDateTimeFormat(() => (during = Intl.DateTimeFormat));
    expect(during).not.toBe(Real);
    expect(Intl.DateTimeFormat).toBe(Real);
    expect(() => withLazyDateTimeFormat(() => { throw new Error('module failed to load'); })).toThrow('module failed to load');
    expect(Intl.DateTimeFormat).toBe(Real);
  });

  it("builds no date formatter while Nest's logger modules load, and Nest's console logger still prints its timestamp", () => {
    const Real = Intl.DateTimeFormat;
    let built = 0;
    Intl.DateTimeFormat = new Proxy(Real, { construct: (target, args) => (built++, Reflect.construct(target, args)) });
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      jest.isolateModules(() => {
        require('./start-up-date-format');
        const { ConsoleLogger } = require('@nestjs/common') as typeof import('@nestjs/common');
        expect(built).toBe(0);
        new ConsoleLogger('Spec', { colors: false }).log('hello');
      });
    } finally {
      spy.mockRestore();
      Intl.DateTimeFormat = Real;
    }
    expect(built).toBe(1);
    const expected = new Real(undefined, { year: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', day: '2-digit', month: '2-digit' });
    expect(written.join('')).toMatch(/\[Spec\] hello/);
    // the same shape of date and time the real formatter writes (the minute may turn between the two)
    const shape = (s: string) => s.replace(/\d/g, '0');
    expect(shape(written.join(''))).toContain(shape(expected.format(Date.now())));
  });
});
