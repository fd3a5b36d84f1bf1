/**
 * The dashboard's one way to talk to the Firebreak API.
 *
 * Contract (DESIGN.md, "The public API"):
 * - JSON in and out; the session cookie travels with `credentials: 'same-origin'`.
 * - Unsafe methods (POST/PUT/PATCH/DELETE) carry the `X-CSRF-Token` header once a
 *   session has handed us a token (sign-in or `GET /api/v1/me`).
 * - Every non-2xx answer becomes an {@link ApiError} carrying the server's
 *   `{"error": {"code", "message", "details"}}`, so screens can show the message
 *   in words and branch on the stable `code`.
 */

import type { components, paths } from './openapi.gen';
import { sendWithProgress, type UploadProgress } from './upload';

/** The error shape every Firebreak endpoint answers with (openapi.json's Error). */
export type ApiErrorBody = components['schemas']['Error'];

/** Codes the client itself produces when there is no server error body to read. */
export const NETWORK_ERROR = 'network_error';
export const UNEXPECTED_RESPONSE = 'unexpected_response';

/** A failed API call: a non-2xx answer, or no answer at all (`status` 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** True when the server says the caller is not signed in (or the session ended). */
export function isUnauthenticated(err: unknown): boolean {
  return isApiError(err) && err.status === 401;
}

type QueryValue = string | number | boolean;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const UNSAFE_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const CSRF_HEADER = 'X-CSRF-Token';

export interface RequestOptions {
  /** Serialised as JSON. Mutually exclusive with `rawBody`. */
  body?: unknown;
  /** Sent as is, e.g. a CSV file for `POST /api/v1/recipients/import`. */
  rawBody?: BodyInit;
  /** Content type of `rawBody`. */
  contentType?: string;
  /** Query parameters; undefined values are left out, a list repeats its key (`?segment=a&segment=b`). */
  query?: Record<string, QueryValue | readonly QueryValue[] | undefined>;
  signal?: AbortSignal;
}

export interface UploadOptions {
  contentType: string;
  /** Called as the body goes up (and once more when it is all sent). */
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

/**
 * The header a paged list (docs/api.md "Paging") puts the next page's cursor in;
 * absent on the last page. Checked against api/openapi.json at compile time.
 */
export const NEXT_CURSOR_HEADER = 'X-Next-Cursor' satisfies keyof paths['/api/v1/campaigns']['get']['responses'][200]['headers'];

/** The largest `?limit=` a paged list accepts (1 to 500; more is 422 validation_failed). */
export const MAX_PAGE_LIMIT = 500;

/** One page of a paged list: its items, and the cursor of the next page (null on the last). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface ApiClientOptions {
  /** Prefix for every path; empty means same origin (the binary serves the dashboard). */
  baseUrl?: string;
}

/**
 * A small typed wrapper around `fetch`. It holds the CSRF token of the current
 * session, so one instance is shared by the whole app (see ApiProvider).
 */
export class ApiClient {
  private readonly baseUrl: string;
  private csrfToken: string | null = null;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
  }

  /** Remember (or forget, with null) the CSRF token that unsafe requests must carry. */
  setCsrfToken(token: string | null | undefined): void {
    this.csrfToken = token ? token : null;
  }

  getCsrfToken(): string | null {
    return this.csrfToken;
  }

  get<T>(path: string, options?: Omit<RequestOptions, 'body' | 'rawBody'>): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }

  delete<T = void>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  /**
   * One page of a paged list (`GET`, docs/api.md "Paging"): the page that
   * starts at `after` (the first page without it), and the cursor the answer
   * carried in X-Next-Cursor. `query` may set `limit`; the body must be an array.
   */
  async getPage<T>(
    path: string,
    options: Omit<RequestOptions, 'body' | 'rawBody'> & { after?: string } = {},
  ): Promise<Page<T>> {
    const { after, ...rest } = options;
    const { body, headers } = await this.send('GET', path, { ...rest, query: { ...rest.query, after } });
    if (!Array.isArray(body)) {
      throw new ApiError(200, UNEXPECTED_RESPONSE, 'Firebreak sent a list the dashboard could not read.');
    }
    return { items: body as T[], next: headers.get(NEXT_CURSOR_HEADER) || null };
  }

  /**
   * Every item of a paged list: follows X-Next-Cursor page after page, at
   * {@link MAX_PAGE_LIMIT} items a page unless `query.limit` says otherwise,
   * and resolves once a page carries no cursor. Any page failing fails the
   * whole (no list is shown cut short); a cursor answered twice is refused
   * rather than followed forever. Keyset paging means items added meanwhile
   * are neither repeated nor skipped.
   */
  async getAll<T>(path: string, options: Omit<RequestOptions, 'body' | 'rawBody'> = {}): Promise<T[]> {
    const query = { ...options.query, limit: options.query?.limit ?? MAX_PAGE_LIMIT };
    const items: T[] = [];
    const seen = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const page = await this.getPage<T>(path, { ...options, query, after });
      items.push(...page.items);
      if (page.next === null) return items;
      if (seen.has(page.next)) {
        throw new ApiError(200, UNEXPECTED_RESPONSE, 'Firebreak sent the same page twice; the list could not be read.');
      }
      seen.add(page.next);
      after = page.next;
    }
  }

  /**
   * POSTs a file as is (`contentType`, e.g. text/csv for the recipients import),
   * reporting how much of it has gone up: `fetch` cannot tell upload progress,
   * so this one request goes through XMLHttpRequest (see upload.ts). Answers and
   * failures are read exactly as {@link request} reads them (ApiError, the
   * CSRF header, same-origin credentials); an abort rejects with an AbortError.
   */
  async upload<T>(path: string, file: Blob, options: UploadOptions): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': options.contentType };
    if (this.csrfToken) headers[CSRF_HEADER] = this.csrfToken;
    let answer: { status: number; text: string };
    try {
      answer = await sendWithProgress({
        url: this.url(path, undefined),
        body: file,
        headers,
        onProgress: options.onProgress,
        signal: options.signal,
      });
    } catch (err) {
      if (isAbortError(err)) throw err;
      throw new ApiError(0, NETWORK_ERROR, 'Could not reach Firebreak. Check your connection and try again.');
    }
    if (answer.status < 200 || answer.status > 299) throw toApiError(answer.status, answer.text);
    return parseBody<T>(answer.status, answer.text);
  }

  /**
   * Performs one request. Resolves with the parsed JSON body (undefined for an
   * empty body such as 204); rejects with ApiError for anything else. An aborted
   * request rejects with the browser's AbortError untouched.
   */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.send(method, path, options)).body as T;
  }

  /** {@link request}, also handing back the answer's headers (for paging). */
  private async send(method: HttpMethod, path: string, options: RequestOptions): Promise<{ body: unknown; headers: Headers }> {
    const headers = new Headers({ Accept: 'application/json' });
    let body: BodyInit | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      if (options.contentType) headers.set('Content-Type', options.contentType);
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers.set('Content-Type', 'application/json');
    }
    if (UNSAFE_METHODS.has(method) && this.csrfToken) {
      headers.set(CSRF_HEADER, this.csrfToken);
    }

    let response: Response;
    try {
      response = await fetch(this.url(path, options.query), {
        method,
        headers,
        body,
        credentials: 'same-origin',
        signal: options.signal,
      });
    } catch (err) {
      if (isAbortError(err)) throw err;
      throw new ApiError(
        0,
        NETWORK_ERROR,
        'Could not reach Firebreak. Check your connection and try again.',
      );
    }

    const text = await response.text();
    if (!response.ok) throw toApiError(response.status, text);
    return { body: parseBody<unknown>(response.status, text), headers: response.headers };
  }

  private url(path: string, query: RequestOptions['query']): string {
    let url = this.baseUrl + path;
    if (query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (value === undefined) continue;
        if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
        else params.set(key, String(value));
      }
      const qs = params.toString();
      if (qs) url += (url.includes('?') ? '&' : '?') + qs;
    }
    return url;
  }
}

function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

/** A 2xx body: JSON, or undefined when empty (204). */
function parseBody<T>(status: number, text: string): T {
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(status, UNEXPECTED_RESPONSE, 'Firebreak sent an answer the dashboard could not read.');
  }
}

/** Reads the contract's error body; falls back to a plain sentence for proxies and crashes. */
function toApiError(status: number, text: string): ApiError {
  try {
    const parsed = JSON.parse(text) as Partial<ApiErrorBody> | null;
    const err = parsed?.error;
    if (err && typeof err.code === 'string' && typeof err.message === 'string') {
      const details =
        err.details && typeof err.details === 'object' && !Array.isArray(err.details)
          ? err.details
          : {};
      return new ApiError(status, err.code, err.message, details);
    }
  } catch {
    // Not JSON: fall through to the generic error below.
  }
  return new ApiError(status, `http_${status}`, fallbackMessage(status));
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'You are not signed in.';
  if (status === 403) return 'You do not have permission to do that.';
  if (status === 404) return 'That was not found.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return `Firebreak had a problem answering (HTTP ${status}). Try again shortly.`;
  return `The request failed (HTTP ${status}).`;
}
