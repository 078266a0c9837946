import { FilterError, parseFilter } from './filter';

const job = { ID: 'web', Status: 'running', Type: 'service', Datacenters: ['dc1', 'dc2'], Meta: { team: 'a' }, Priority: 50 };

describe('parseFilter (go-bexpr subset)', () => {
  it.each([
    ['Status == "running"', true],
    ['Status != "running"', false],
    ['Datacenters contains "dc2"', true],
    ['"dc3" in Datacenters', false],
    ['Meta.team == "a" and Type == "service"', true],
    ['Type == "batch" or not (Priority == 50)', false],
    ['ID matches "^w.b$"', true],
    ['Meta.owner is empty', true],
    ['Priority == 50', true],
  ])('%s -> %s', (expr, expected) => {
    expect(parseFilter(expr)(job)).toBe(expected);
  });

  it('rejects malformed expressions', () => {
    for (const bad of ['Status ==', 'Status ~ "x"', '(Status == "a"', '']) expect(() => parseFilter(bad)).toThrow(FilterError);
  });
});
