import { samplerOf } from './otel-tracer';

describe('samplerOf', () => {
  it("builds OpenTelemetry's sampler for each OTEL_TRACES_SAMPLER value, with OTEL_TRACES_SAMPLER_ARG as the ratio", () => {
    const shown = (name: Parameters<typeof samplerOf>[0]['name'], ratio = 1) => samplerOf({ name, ratio }).toString();
    expect(shown('parentbased_always_on')).toMatch(/^ParentBased\{root=AlwaysOnSampler,/);
    expect(shown('parentbased_always_off')).toMatch(/^ParentBased\{root=AlwaysOffSampler,/);
    expect(shown('parentbased_traceidratio', 0.25)).toMatch(/^ParentBased\{root=TraceIdRatioBased\{0\.25\},/);
    expect(shown('always_on')).toBe('AlwaysOnSampler');
    expect(shown('always_off')).toBe('AlwaysOffSampler');
    expect(shown('traceidratio', 0.5)).toBe('TraceIdRatioBased{0.5}');
  });
});
