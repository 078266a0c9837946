import 'reflect-metadata';

/*
 * Nest's two logger modules (@nestjs/common's logger.service and console-logger.service) each build an
 * Intl.DateTimeFormat when they load. The first one pages in ICU's locale and time-zone data: some 7 MB of a
 * 100 MB idle process (measured side by side: 102-103 MB without this file, 95-96 MB with it). Only Nest's
 * console logger ever formats with it, and the service logs through pino, so while those two modules load a
 * DateTimeFormat is built on its first use instead. Nothing else is touched: Intl.DateTimeFormat is the real
 * one again before any other module loads. Loaded by the serve and stdio commands before anything loads Nest
 * (not by main: --help and the commands without Nest load none of it).
 */

type DateTimeFormatClass = typeof Intl.DateTimeFormat;

/**
 * A stand-in for `Intl.DateTimeFormat` whose instances build the real formatter, with the same arguments, the
 * first time they format or are asked their options. They are `instanceof` the real class.
 */
export function lazyDateTimeFormat(Real: DateTimeFormatClass): DateTimeFormatClass {
  function LazyDateTimeFormat(locales?: string | string[], options?: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
    let real: Intl.DateTimeFormat | undefined;
    const formatter = () => (real ??= new Real(locales, options));
    return Object.create(Real.prototype, {
      format: { get: () => formatter().format },
      formatToParts: { value: (date?: Date | number) => formatter().formatToParts(date) },
      formatRange: { value: (from: Date | number, to: Date | number) => formatter().formatRange(from, to) },
      formatRangeToParts: { value: (from: Date | number, to: Date | number) => formatter().formatRangeToParts(from, to) },
      resolvedOptions: { value: () => formatter().resolvedOptions() },
    }) as Intl.DateTimeFormat;
  }
  return Object.assign(LazyDateTimeFormat, { supportedLocalesOf: Real.supportedLocalesOf }) as unknown as DateTimeFormatClass;
}

/** Runs `load` with the lazy stand-in as Intl.DateTimeFormat; the real one is back afterwards, however load ends. */
export function withLazyDateTimeFormat(load: () => void): void {
  const Real = Intl.DateTimeFormat;
  Intl.DateTimeFormat = lazyDateTimeFormat(Real);
  try {
    load();
  } finally {
    Intl.DateTimeFormat = Real;
  }
}

withLazyDateTimeFormat(() => {
  require('@nestjs/common/services/logger.service');
  require('@nestjs/common/services/console-logger.service');
});
