import { Injectable } from '@nestjs/common';
import { NomadBadResponseError } from '../nomad.errors';
import { NomadCallOptions, NomadMethod, NomadResult, NomadTransport } from '../transport/nomad.transport';

/** What a read may add: blocking query, timeout, cancel. Query parameters are named by each method. */
export type NomadReadOptions = Pick<NomadCallOptions, 'index' | 'waitMs' | 'timeoutMs' | 'signal'>;

/** Describes the body an endpoint returns, for the light check each answer gets. */
export interface Shape {
  /** "a list of jobs", "a job": used in the error message. */
  what: string;
  /** A field every object must have as a non-empty string (ID, Name, EvalID…). */
  id?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Base of the per-resource clients: GETs return `{ body, index, … }` so the watch cache can block on the
 * index; writes return Nomad's body. Each answer gets a light shape check (list vs object, the ID field), so
 * a wrong answer is a NomadBadResponseError (502) and never a TypeError (500) further down.
 */
@Injectable()
export class NomadResource {
  constructor(protected readonly transport: NomadTransport) {}

  /** GET of a list; Nomad's `null` for "none" becomes []. */
  protected async getList<T>(path: string, shape: Shape, opts: NomadCallOptions = {}): Promise<NomadResult<T[]>> {
    const res = await this.transport.json<unknown>('GET', path, opts);
    const body = res.body === null ? [] : res.body;
    if (!Array.isArray(body) || !body.every((item) => this.hasShape(item, shape))) throw this.badShape('GET', path, shape, true);
    return { ...res, body: body as T[] };
  }

  /** GET of one object; with `nullable`, Nomad's `null` ("there is none") passes. */
  protected async getObject<T>(path: string, shape: Shape, opts: NomadCallOptions = {}, nullable = false): Promise<NomadResult<T>> {
    const res = await this.transport.json<unknown>('GET', path, opts);
    if (!(nullable && res.body === null) && !this.hasShape(res.body, shape)) throw this.badShape('GET', path, shape);
    return res as NomadResult<T>;
  }

  /** A write whose answer is an object (register, scale…); `shape.id` names a field it must carry. */
  protected async write<T>(method: NomadMethod, path: string, shape: Shape, opts: NomadCallOptions = {}): Promise<T> {
    const res = await this.transport.json<unknown>(method, path, opts);
    if (!isObject(res.body) || (shape.id !== undefined && typeof res.body[shape.id] !== 'string')) throw this.badShape(method, path, shape);
    return res.body as T;
  }

  /** A write whose answer carries nothing the caller needs (Nomad sends an empty body or `{}`). */
  protected async writeNoBody(method: NomadMethod, path: string, opts: NomadCallOptions = {}): Promise<void> {
    await this.transport.json<unknown>(method, path, opts);
  }

  protected badShape(method: NomadMethod, path: string, shape: Shape, list = false): NomadBadResponseError {
    const expected = shape.id ? `${shape.what}${list ? ', each' : ''} with ${/^[AEIOU]/.test(shape.id) ? 'an' : 'a'} ${shape.id}` : shape.what;
    return new NomadBadResponseError(this.transport.displayAddress, `${method} ${path}`, expected);
  }

  private hasShape(v: unknown, shape: Shape): boolean {
    if (!isObject(v)) return false;
    if (shape.id === undefined) return true;
    const id = v[shape.id];
    return typeof id === 'string' && id !== '';
  }
}
