// The jifen client for TypeScript and JavaScript: the types of `schema.d.ts` (generated from
// docs/openapi.json by openapi-typescript) over the openapi-fetch runtime, with what makes the
// API feel native — answers returned directly, errors thrown as `JifenError`, writes retried
// under the same id, and lists walked page by page with `for await`.

import createClient from "openapi-fetch";
import type {
  Client,
  ClientPathsWithMethod,
  MaybeOptionalInit,
  MethodResponse,
  Middleware,
} from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** Every schema of the API by name: `Schemas["MemberOut"]`, `Schemas["BalanceOut"]`… */
export type Schemas = components["schemas"];
export type Member = Schemas["MemberOut"];
export type MemberIn = Schemas["MemberIn"];
export type Balance = Schemas["BalanceOut"];
export type EventIn = Schemas["EventIn"];
export type EventResult = Schemas["EventResult"];
export type PointsWrite = Schemas["PointsWriteOut"];
export type LedgerEntry = Schemas["EntryOut"];
export type ErrorDetail = Schemas["ErrorDetail"];

/** The openapi-fetch client: `GET`, `POST`… answer `{ data, error, response }` and never throw. */
export type RawClient = Client<paths>;

type Method = "get" | "put" | "post" | "delete" | "patch";

type RequiredKeysOf<T> = {
  [K in keyof T]: {} extends Pick<T, K> ? never : K;
}[keyof T];

/** The request options: optional when the operation needs neither parameters nor a body. */
type InitParam<I> =
  RequiredKeysOf<I> extends never ? [(I & { [key: string]: unknown })?] : [I & { [key: string]: unknown }];

/** A call that answers the success body itself and throws `JifenError` for an error answer. */
type DataMethod<M extends Method> = <
  P extends ClientPathsWithMethod<RawClient, M>,
  I extends MaybeOptionalInit<paths[P], M>,
>(
  path: P,
  ...init: InitParam<I>
) => Promise<MethodResponse<RawClient, M, P, I>>;

type GetPath = ClientPathsWithMethod<RawClient, "get">;
type Ok<P extends GetPath> = MethodResponse<RawClient, "get", P>;

/**
 * The list operations `paginate` can walk: those answering `data` (and `next` when the list is
 * paged; a list without `next` is one page).
 */
export type PagedPath = {
  [P in GetPath]: Ok<P> extends { data: unknown[]; next?: string | null } ? P : never;
}[GetPath];

/** One item of the pages of `P`. */
export type PageItem<P extends PagedPath> = Ok<P> extends { data: (infer T)[] } ? T : never;

export interface JifenClientOptions {
  /** Where jifen listens, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** The program's secret key, `jf_sk_…`. */
  apiKey: string;
  /** Another `fetch` (for tests, proxies or timeouts). */
  fetch?: (input: Request) => Promise<Response>;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

export interface JifenClient {
  /** Call a GET operation; answers its body, throws `JifenError` for an error answer. */
  get: DataMethod<"get">;
  /** Call a POST operation; answers its body, throws `JifenError` for an error answer. */
  post: DataMethod<"post">;
  /** Call a PUT operation; answers its body, throws `JifenError` for an error answer. */
  put: DataMethod<"put">;
  /** Call a PATCH operation; answers its body, throws `JifenError` for an error answer. */
  patch: DataMethod<"patch">;
  /** Call a DELETE operation; answers its body, throws `JifenError` for an error answer. */
  delete: DataMethod<"delete">;
  /**
   * Every item of a list, page after page: each page's `next` is sent as `after` for the
   * following one, until a page has no `next`.
   */
  paginate<P extends PagedPath>(
    path: P,
    ...init: InitParam<MaybeOptionalInit<paths[P], "get">>
  ): AsyncGenerator<PageItem<P>, void, undefined>;
  /** Records one event (`POST /v1/events`) and answers what it caused; a refusal throws. */
  sendEvent(event: EventIn): Promise<EventResult>;
  /**
   * Records up to 1,000 events at once and answers a result per event, in order; an event that
   * fails has `status: "failed"` and its `error`, and does not stop the others.
   */
  sendEvents(events: EventIn[]): Promise<EventResult[]>;
  /** The openapi-fetch client underneath, for the `{ data, error, response }` style. */
  raw: RawClient;
}

/** An error answer of jifen: its stable `code`, the `field` at fault, and where it is documented. */
export class JifenError extends Error {
  override readonly name = "JifenError";
  /** Stable, machine-readable code: `insufficient_points`, `member_not_found`, `invalid_request`… */
  readonly code: string;
  /** The request field at fault, as a path (`events[2].attributes.amount`), or null. */
  readonly field: string | null;
  /** The HTTP status. */
  readonly status: number;
  /** Where the code is documented. */
  readonly doc: string;
  /** The `x-request-id` of the answer, which finds the request in the server's logs. */
  readonly requestId: string | null;
  /** Seconds to wait before sending again (the `Retry-After` of a `429` or `503`), or null. */
  readonly retryAfter: number | null;

  constructor(status: number, detail: ErrorDetail, headers?: Headers) {
    super(detail.message);
    this.code = detail.code;
    this.field = detail.field ?? null;
    this.status = status;
    this.doc = detail.doc;
    this.requestId = headers?.get("x-request-id") ?? null;
    const after = Number(headers?.get("retry-after") ?? Number.NaN);
    this.retryAfter = Number.isFinite(after) ? after : null;
  }

  /** The error of an answer that is not a success; a body that is not jifen's is `http_<status>`. */
  static from(response: Response, body: unknown): JifenError {
    const detail = (body as { error?: Partial<ErrorDetail> } | null)?.error;
    if (detail && typeof detail.code === "string") {
      return new JifenError(
        response.status,
        {
          code: detail.code,
          message: String(detail.message ?? detail.code),
          doc: String(detail.doc ?? ""),
          field: detail.field ?? null,
        },
        response.headers,
      );
    }
    return new JifenError(
      response.status,
      {
        code: `http_${response.status}`,
        message: `${response.status} ${response.statusText}`.trim(),
        doc: "",
        field: null,
      },
      response.headers,
    );
  }
}

/** Whether `e` is an error answer of jifen, of the given code when one is given. */
export function isJifenError(e: unknown, code?: string): e is JifenError {
  return e instanceof JifenError && (code === undefined || e.code === code);
}

/** A new client-chosen id for a write: `prefix-<uuid>`. */
export function newId(prefix = "req"): string {
  return `${prefix}-${globalThis.crypto.randomUUID()}`;
}

export interface RetryOptions {
  /** The id to send on every attempt (default: a new one from `newId`). */
  id?: string;
  /** Prefix of the id made when `id` is not given. */
  prefix?: string;
  /** Attempts in all, the first one included (default 5). */
  attempts?: number;
  /** The first wait in milliseconds, doubled after each attempt (default 200). */
  baseDelayMs?: number;
  /** The longest wait of the backoff in milliseconds (default 5000); a longer `Retry-After` is waited in full. */
  maxDelayMs?: number;
  /** Called before each new attempt, with what failed and the wait. */
  onRetry?: (info: { attempt: number; error: unknown; delayMs: number; id: string }) => void;
}

/**
 * Whether sending the same write again may succeed: the network failed or timed out (the write
 * may or may not have been recorded), or jifen answered `429` or `5xx`. Any other error answer
 * is final, and so is an abort the caller asked for.
 */
export function isRetryable(e: unknown): boolean {
  if (e instanceof JifenError) {
    return e.status === 429 || e.status >= 500;
  }
  // fetch rejects with a TypeError when the connection fails or is cut, and with a
  // TimeoutError when an `AbortSignal.timeout()` fires.
  return e instanceof TypeError || (e instanceof Error && e.name === "TimeoutError");
}

/**
 * Runs a write with one client-chosen id, sending it again under the same id when the network
 * fails or jifen answers 429 or 5xx, with exponential backoff (and `Retry-After` when given).
 * jifen answers a repeated id with the first answer and changes nothing, so the write happens
 * once whatever the number of attempts.
 *
 * ```ts
 * const out = await withIdempotentRetry((id) =>
 *   jifen.post("/v1/members/{external_id}/redemptions", {
 *     params: { path: { external_id: "alice" } },
 *     body: { id, points: 50 },
 *   }),
 * );
 * ```
 */
export async function withIdempotentRetry<T>(fn: (id: string) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const id = options.id ?? newId(options.prefix);
  const attempts = Math.max(1, options.attempts ?? 5);
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 5000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(id);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) {
        throw error;
      }
      const backoff = Math.min(max, base * 2 ** (attempt - 1));
      const told = error instanceof JifenError && error.retryAfter !== null ? error.retryAfter * 1000 : 0;
      // Retry-After is honoured in full: sending sooner would only be refused again.
      const delayMs = Math.max(told, Math.min(max, backoff / 2 + Math.random() * (backoff / 2)));
      options.onRetry?.({ attempt, error, delayMs, id });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** A client of one jifen program. */
export function createJifenClient(options: JifenClientOptions): JifenClient {
  const raw = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { ...options.headers, Authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const call =
    <M extends Method>(method: Uppercase<M>): DataMethod<M> =>
    (async (path: string, init?: unknown) => {
      const request = raw[method] as unknown as (
        path: string,
        init?: unknown,
      ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
      const { data, error, response } = await request(path, init);
      if (!response.ok) {
        throw JifenError.from(response, error);
      }
      return data;
    }) as unknown as DataMethod<M>;

  const get = call<"get">("GET");

  async function* paginate(path: string, init?: { params?: { path?: unknown; query?: Record<string, unknown> } }) {
    let after: string | undefined;
    for (;;) {
      const query = { ...init?.params?.query, ...(after === undefined ? {} : { after }) };
      const page = (await (get as unknown as (p: string, i: unknown) => Promise<unknown>)(path, {
        ...init,
        params: { ...init?.params, query },
      })) as { data: unknown[]; next?: string | null };
      yield* page.data;
      if (!page.next) {
        return;
      }
      after = page.next;
    }
  }

  const post = call<"post">("POST");

  async function sendEvents(events: EventIn[]): Promise<EventResult[]> {
    const answer = await post("/v1/events", { body: { events } });
    if (!("results" in answer)) {
      throw new TypeError("jifen answered a batch of events without `results`");
    }
    return answer.results;
  }

  async function sendEvent(event: EventIn): Promise<EventResult> {
    const answer = await post("/v1/events", { body: event });
    if ("results" in answer) {
      throw new TypeError("jifen answered one event with `results`");
    }
    return answer;
  }

  return {
    get,
    post,
    put: call<"put">("PUT"),
    patch: call<"patch">("PATCH"),
    delete: call<"delete">("DELETE"),
    paginate: paginate as JifenClient["paginate"],
    sendEvent,
    sendEvents,
    raw,
  };
}

/** A middleware for the raw client that throws `JifenError` for error answers. */
export const throwOnError: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) {
      let body: unknown = null;
      try {
        body = await response.clone().json();
      } catch {
        body = null;
      }
      throw JifenError.from(response, body);
    }
    return undefined;
  },
};
