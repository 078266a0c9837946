import { IsInt, IsString, validate } from 'class-validator';
import { memoizeValidationMetadata } from './validation-metadata-memo';

describe('memoizeValidationMetadata', () => {
  beforeAll(() => memoizeValidationMetadata());

  it('validates as before, and sees a rule declared after the first validation', async () => {
    class Thing {
      @IsString() name!: unknown;
      count!: unknown;
    }
    const thing = Object.assign(new Thing(), { name: 5, count: 'x' });
    expect((await validate(thing)).map((e) => e.property)).toEqual(['name']);
    expect((await validate(thing)).map((e) => e.property)).toEqual(['name']);
    // a rule added later (as a class declared later would add one) is seen: the memo is cleared
    IsInt()(Thing.prototype, 'count');
    expect((await validate(thing)).map((e) => e.property).sort()).toEqual(['count', 'name']);
  });

  it('keeps subclasses and options apart', async () => {
    class Base {
      @IsString() a!: unknown;
    }
    class Child extends Base {
      @IsInt() b!: unknown;
    }
    const child = Object.assign(new Child(), { a: 1, b: 'x' });
    const base = Object.assign(new Base(), { a: 1, b: 'x' });
    expect((await validate(child)).map((e) => e.property).sort()).toEqual(['a', 'b']);
    expect((await validate(base)).map((e) => e.property)).toEqual(['a']);
    expect((await validate(base, { whitelist: true, forbidNonWhitelisted: true })).map((e) => e.property).sort()).toEqual(['a', 'b']);
    expect((await validate(child, { groups: ['other'], strictGroups: true })).map((e) => e.property)).toEqual([]);
  });
});
