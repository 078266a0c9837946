import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { AxiosError, AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { PassThrough, Readable } from 'node:stream';
import { Observable, Subject } from 'rxjs';
import {
  NomadApiError,
  NomadError,
  NomadProtocolError,
  NomadResponseTooLargeError,
  NomadTimeoutError,
  NomadTruncatedResponseError,
  NomadUnavailableError,
} from '../nomad.errors';
import { NOMAD_CLIENT_OPTIONS } from '../nomad.module-definition';
import { blockingTimeoutMs, DEFAULT_MAX_RESPONSE_BYTES, MAX_ERROR_BODY_BYTES, NomadClientOptions } from '../nomad.options';
import { NomadAddress, parseNomadAddress, scrubCredentials } from './nomad-address';
import { readCaPath } from './nomad-ca-path';
import { scopedNomadToken } from './nomad-token-scope';
import { BodyReadError, readCapped } from './read-body';

export type NomadMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';
export type NomadQuery = Record<string, string | number | boolean | undefined>;

export interface NomadCallOptions {
  query?: NomadQuery;
  /** Sent as JSON. */
  body?: unknown;
  /** Bound of the whole call (connect to last byte); default NOMAD_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Largest successful body read; default maxResponseBytes of the options (32 MiB). */
  maxBytes?: number;
  /** Blocking query: Nomad holds the answer until its index passes this one, or `waitMs` has passed. */
  index?: number;
  /** Longest hold of a blocking query (sent as `wait=<n>ms`); default 5 minutes, as Nomad's. */
  waitMs?: number;
  /** Cancels the call; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Nomad's query meta headers (BEHAVIOUR.md §5); absent on endpoints that do not send them. */
export interface NomadMeta {
  index?: number;
  knownLeader?: boolean;
  lastContactMs?: number;
  nextToken?: string;
}

export interface NomadResult<T> extends NomadMeta {
  body: T;
}

export interface NomadStreamResult extends NomadMeta {
  /** The answer's bytes as they arrive; errors part-way are NomadTruncatedResponseError. */
  stream: Readable;
  contentType?: string;
  /** Stops reading and closes the connection. */
  close(): void;
}

/** What a call to Nomad ended with: Nomad's HTTP status, or why there was none (or the body was not all read). */
export type NomadCallStatus = number | 'timeout' | 'unreachable' | 'aborted' | 'truncated' | 'too-large';

/** One finished call to Nomad (a stream: once its answer began), for metrics. */
export interface NomadCallRecord {
  method: NomadMethod;
  /** The path as sent, IDs and all: label it with nomadEndpoint(), never as it is. */
  path: string;
  status: NomadCallStatus;
  durationMs: number;
  /** A blocking query (`index` given): its duration is mostly Nomad holding the answer, not latency. */
  blocking: boolean;
  /** X-Nomad-Index of a successful answer: for a write, the Raft index the change was applied at (the watch cache waits for it). */
  index?: number;
}

/** Nomad's default `wait` of a blocking query; sent explicitly so the call's timeout is known. */
export const DEFAULT_BLOCKING_WAIT_MS = 5 * 60 * 1000;

function isStaleSocket(err: unknown): boolean {
  const e = err as AxiosError;
  return e?.code === 'ECONNRESET' || e?.code === 'EPIPE' || /socket hang up/i.test(e?.message ?? '');
}

/** The caller's token (withNomadToken) replaces the configured X-Nomad-Token of the instance for this request. */
function callerTokenHeader(): Record<string, string> {
  const token = scopedNomadToken();
  return token ? { 'X-Nomad-Token': token.secret } : {};
}

function header(res: AxiosResponse, name: string): string | undefined {
  const v = res.headers[name];
  return v === undefined || v === null ? undefined : String(v);
}

/** The status label of a call that answered `outcome` (a status) or failed with it (an error). */
function callStatus(outcome: number | unknown, control: CallControl): NomadCallStatus {
  if (typeof outcome === 'number') return outcome;
  if (outcome instanceof NomadApiError) return outcome.status;
  if (outcome instanceof NomadTimeoutError || control.timedOut) return 'timeout';
  if (outcome instanceof NomadTruncatedResponseError) return 'truncated';
  if (outcome instanceof NomadResponseTooLargeError) return 'too-large';
  if (control.callerAborted) return 'aborted';
  return 'unreachable';
}

/** One in-flight call: its deadline and the caller's cancel, both ending in one AbortController. */
class CallControl {
  readonly controller = new AbortController();
  timedOut = false;
  private timer?: NodeJS.Timeout;
  private readonly onCallerAbort = () => this.controller.abort(this.callerSignal?.reason);

  constructor(
    readonly timeoutMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, timeoutMs);
    if (callerSignal?.aborted) this.controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get callerAborted(): boolean {
    return !!this.callerSignal?.aborted && !this.timedOut;
  }

  /** The deadline no longer applies (a stream the caller now owns); the caller's signal still does. */
  stopDeadline(): void {
    clearTimeout(this.timer);
  }

  done(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}

/**
 * The only code that speaks HTTP to Nomad: builds the request (base URL, encoded path from nomadPath, token —
 * the caller's when the call runs inside withNomadToken, else NOMAD_TOKEN —, region, TLS, keep-alive agents), bounds the whole call by its timeout, caps what it reads, and turns every
 * failure into a typed NomadError. Resource classes (NomadJobsApi, …) sit on top of it.
 */
@Injectable()
export class NomadTransport implements OnModuleDestroy {
  private readonly logger = new Logger(NomadTransport.name);
  private readonly address: NomadAddress;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly axiosConfig: AxiosRequestConfig;
  private instance?: AxiosInstance;
  private readonly calls = new Subject<NomadCallRecord>();

  constructor(@Inject(NOMAD_CLIENT_OPTIONS) private readonly options: NomadClientOptions) {
    this.address = parseNomadAddress(options.address);
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 64,
      // NOMAD_CACERT wins over NOMAD_CAPATH, as in Nomad's own client
      ca: options.caCertPath ? readFileSync(options.caCertPath) : options.caPath ? readCaPath(options.caPath) : undefined,
      servername: options.tlsServerName,
      cert: options.clientCertPath ? readFileSync(options.clientCertPath) : undefined,
      key: options.clientKeyPath ? readFileSync(options.clientKeyPath) : undefined,
      rejectUnauthorized: !options.skipVerify,
    });
    this.axiosConfig = {
      baseURL: this.address.baseUrl,
      // unix:///…/api.sock: the Task API socket (undefined: TCP to the URL's host)
      socketPath: this.address.socketPath,
      // credentials of NOMAD_ADDR travel as Basic auth (as axios did with them in the URL), never in messages
      auth: this.address.auth,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      headers: options.token ? { 'X-Nomad-Token': options.token } : {},
      // bodies are read here, with caps and a deadline; every status is handled here too
      responseType: 'stream',
      validateStatus: () => true,
      maxRedirects: 0,
      proxy: false,
    };
  }

  /**
   * axios, created with the first call to Nomad: with what it brings (form-data, mime-db) it is 4 MB and 90 ms of
   * start-up that a service is not yet asked to spend when it starts listening.
   */
  private get http(): AxiosInstance {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (this.instance ??= (require('axios') as typeof import('axios')).default.create(this.axiosConfig));
  }

  /** NOMAD_ADDR without its password: for messages, logs and /health. */
  get displayAddress(): string {
    return this.address.display;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** Every finished call (metrics subscribe); nothing is built for it while no one does. */
  get calls$(): Observable<NomadCallRecord> {
    return this.calls.asObservable();
  }

  onModuleDestroy(): void {
    this.calls.complete();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** A JSON answer (null for an empty body), with Nomad's index headers. */
  async json<T = unknown>(method: NomadMethod, path: string, opts: NomadCallOptions = {}): Promise<NomadResult<T>> {
    const { res, text } = await this.buffered(method, path, opts);
    if (text === '') return { ...this.meta(res), body: null as T };
    try {
      return { ...this.meta(res), body: JSON.parse(text) as T };
    } catch {
      // a 200 that is not JSON: NOMAD_ADDR points at something that is not Nomad (a proxy page, a UI)
      throw new NomadProtocolError(this.address.display, `${method} ${path}`, header(res, 'content-type'));
    }
  }

  /** A text answer (plain logs). */
  async text(method: NomadMethod, path: string, opts: NomadCallOptions = {}): Promise<NomadResult<string>> {
    const { res, text } = await this.buffered(method, path, opts);
    return { ...this.meta(res), body: text };
  }

  /**
   * A streamed answer (log follow, event stream). The timeout bounds the wait for the answer to begin; the
   * stream then lasts until Nomad ends it, the caller closes it or `signal` aborts.
   */
  async stream(method: NomadMethod, path: string, opts: NomadCallOptions = {}): Promise<NomadStreamResult> {
    const operation = `${method} ${path}`;
    const started = performance.now();
    const control = new CallControl(this.callTimeout(opts), opts.signal);
    let res: AxiosResponse;
    try {
      res = await this.open(method, path, opts, control);
      await this.throwIfNotOk(res, operation, control);
    } catch (err) {
      control.done();
      this.report(method, path, opts, started, err, control);
      throw err;
    }
    this.report(method, path, opts, started, res.status, control);
    control.stopDeadline();
    const source = res.data as Readable;
    const out = new PassThrough();
    let bytes = 0;
    source.on('data', (chunk: Buffer) => (bytes += chunk.length));
    source.on('error', (err) => {
      out.destroy(control.callerAborted ? (opts.signal?.reason ?? err) : this.bodyError(err, bytes, operation, control));
    });
    source.pipe(out);
    out.on('close', () => {
      control.done();
      source.destroy();
    });
    return { ...this.meta(res), stream: out, contentType: header(res, 'content-type'), close: () => out.destroy() };
  }

  // ------------------------------------------------------------------ internals

  private callTimeout(opts: NomadCallOptions): number {
    const base = opts.timeoutMs ?? this.options.timeoutMs;
    return opts.index === undefined ? base : blockingTimeoutMs(opts.waitMs ?? DEFAULT_BLOCKING_WAIT_MS, base);
  }

  private async buffered(method: NomadMethod, path: string, opts: NomadCallOptions): Promise<{ res: AxiosResponse; text: string }> {
    const operation = `${method} ${path}`;
    const started = performance.now();
    const control = new CallControl(this.callTimeout(opts), opts.signal);
    try {
      const res = await this.open(method, path, opts, control);
      await this.throwIfNotOk(res, operation, control);
      const limit = opts.maxBytes ?? this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      const announced = Number(header(res, 'content-length'));
      if (announced > limit) {
        (res.data as Readable).destroy();
        throw new NomadResponseTooLargeError(this.address.display, operation, limit);
      }
      const body = await this.read(res, limit, operation, control);
      if (body.overflow) throw new NomadResponseTooLargeError(this.address.display, operation, limit);
      this.report(method, path, opts, started, res.status, control, this.meta(res).index);
      return { res, text: body.bytes.toString('utf8') };
    } catch (err) {
      this.report(method, path, opts, started, err, control);
      throw err;
    } finally {
      control.done();
    }
  }

  /** Tells the subscribers of calls$ how a call ended: a status, or the error it failed with. */
  private report(method: NomadMethod, path: string, opts: NomadCallOptions, started: number, outcome: number | unknown, control: CallControl, index?: number): void {
    if (!this.calls.observed) return;
    this.calls.next({ method, path, status: callStatus(outcome, control), durationMs: performance.now() - started, blocking: opts.index !== undefined, ...(index === undefined ? {} : { index }) });
  }

  /** Sends the request and resolves when the status line and headers are in. */
  private async open(method: NomadMethod, path: string, opts: NomadCallOptions, control: CallControl): Promise<AxiosResponse> {
    const operation = `${method} ${path}`;
    // paths come from nomadPath (each segment encoded); a raw string with a query or fragment is a bug here
    if (!/^\/v1\/[^?#]*$/.test(path)) throw new Error(`NomadTransport: '${path}' is not a path built by nomadPath`);
    const blocking = opts.index === undefined ? {} : { index: opts.index, wait: `${opts.waitMs ?? DEFAULT_BLOCKING_WAIT_MS}ms` };
    const config = {
      method,
      url: path,
      params: { ...(this.options.region ? { region: this.options.region } : {}), ...opts.query, ...blocking },
      data: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      headers: { ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...callerTokenHeader() },
      signal: control.controller.signal,
    };
    try {
      return await this.http.request(config);
    } catch (err) {
      // a kept-alive socket the server closed while idle fails on reuse; a read is safe to send again once
      if (method !== 'GET' || !isStaleSocket(err) || control.controller.signal.aborted) throw this.connectError(err, operation, control);
      try {
        return await this.http.request(config);
      } catch (again) {
        throw this.connectError(again, operation, control);
      }
    }
  }

  private async throwIfNotOk(res: AxiosResponse, operation: string, control: CallControl): Promise<void> {
    if (res.status === 200) return;
    const body = await this.read(res, MAX_ERROR_BODY_BYTES, operation, control);
    const error = new NomadApiError(res.status, body.bytes.toString('utf8'), operation, body.overflow);
    error.tokenLabel = scopedNomadToken()?.label;
    this.logger.debug(`${operation} -> ${res.status} ${error.nomadMessage.slice(0, 200)}`);
    throw error;
  }

  private async read(res: AxiosResponse, limit: number, operation: string, control: CallControl) {
    try {
      return await readCapped(res.data as Readable, limit);
    } catch (err) {
      const e = err as BodyReadError;
      if (control.callerAborted) throw this.callerReason(control, e.original);
      throw this.bodyError(e.original, e.bytesRead, operation, control);
    }
  }

  private callerReason(control: CallControl, fallback: unknown): unknown {
    return control.controller.signal.reason ?? fallback;
  }

  /** Before the answer began: unreachable, or out of time. */
  private connectError(err: unknown, operation: string, control: CallControl): unknown {
    if (err instanceof NomadError) return err;
    if (control.timedOut) return new NomadTimeoutError(this.address.display, control.timeoutMs, operation);
    if (control.callerAborted) return this.callerReason(control, err);
    const e = err as AxiosError;
    const cause = scrubCredentials(e?.code || e?.message || 'unknown error', this.address);
    return new NomadUnavailableError(this.address.display, cause, operation);
  }

  /** After the answer began: out of time, or cut off. Never "unreachable": Nomad did answer. */
  private bodyError(err: unknown, bytesRead: number, operation: string, control: CallControl): NomadError {
    if (err instanceof NomadError) return err;
    if (control.timedOut) return new NomadTimeoutError(this.address.display, control.timeoutMs, operation);
    const e = err as AxiosError & { code?: string };
    const cause = scrubCredentials(e?.code || e?.message || 'connection closed', this.address);
    return new NomadTruncatedResponseError(this.address.display, operation, bytesRead, cause);
  }

  private meta(res: AxiosResponse): NomadMeta {
    const out: NomadMeta = {};
    const index = Number(header(res, 'x-nomad-index'));
    if (header(res, 'x-nomad-index') !== undefined && Number.isSafeInteger(index) && index >= 0) out.index = index;
    const leader = header(res, 'x-nomad-knownleader');
    if (leader !== undefined) out.knownLeader = leader === 'true';
    const contact = Number(header(res, 'x-nomad-lastcontact'));
    if (header(res, 'x-nomad-lastcontact') !== undefined && Number.isFinite(contact)) out.lastContactMs = contact;
    const next = header(res, 'x-nomad-nexttoken');
    if (next) out.nextToken = next;
    return out;
  }
}
