import { inspectInput, nestingDeeperThan } from './input-inspection';

describe('inspectInput', () => {
  it('names keys named like Object.prototype members, however deep, as unknown properties', () => {
    const input = JSON.parse('{"job_id":"x","__proto__":{"purge":true},"env_vars":{"toString":"1","OK":"2"},"ports":[{"constructor":1}]}');
    expect(inspectInput(input)).toEqual([
      { field: '__proto__', reasons: ['property __proto__ should not exist'] },
      { field: 'env_vars.toString', reasons: ['property toString should not exist'] },
      { field: 'ports[0].constructor', reasons: ['property constructor should not exist'] },
    ]);
  });

  it('names strings and keys with a lone surrogate', () => {
    // an object's keys are checked when it is visited, before its values
    expect(inspectInput(JSON.parse('{"a":"ok \\ud83d\\ude00","b":"\\ud800","c":["x\\udc00"],"\\udfff":1}'))).toEqual([
      { field: '\\udfff', reasons: [expect.stringMatching(/name contains a lone surrogate/)] },
      { field: 'b', reasons: [expect.stringMatching(/lone surrogate/)] },
      { field: 'c[0]', reasons: [expect.stringMatching(/lone surrogate/)] },
    ]);
  });

  it('bounds depth without recursing (100,000 levels do not overflow the stack)', () => {
    const deep = JSON.parse(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const problems = inspectInput(deep, 4);
    expect(problems).toEqual([{ field: 'a[0][0][0]', reasons: ['nested deeper than 4 levels'] }]);
    expect(nestingDeeperThan(deep, 64)).toBe('a');
    expect(nestingDeeperThan({ a: [[1]] }, 64)).toBeUndefined();
    expect(inspectInput({ job_id: 'x', ports: [{ Label: 'http' }], env_vars: { A: 'b' } })).toEqual([]);
  });
});
