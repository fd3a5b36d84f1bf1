/**
 * A fake backend for component tests: `fetch` is replaced by a function that
 * answers from a small route table and records every request, so tests can assert
 * both what the user sees and what was sent.
 */
import { vi } from 'vitest';
import type { User } from '../api/types';
import { legalUser } from './fixtures';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  credentials: RequestCredentials | undefined;
  body: unknown;
}

/**
 * An answer: status, JSON body and extra headers, or a function of the request
 * (e.g. to answer a list page by its `?after=`) that gives one.
 */
export type Reply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | ((req: RecordedRequest) => Promise<Reply> | Reply);

export interface FakeApi {
  requests: RecordedRequest[];
  /** Sets (or replaces) the answer for "METHOD /path". */
  on(route: string, reply: Reply): void;
  requestsTo(route: string): RecordedRequest[];
}

export const mara: User = {
  id: '6f1c2a9e-4a51-4a7e-9d7b-2b1f0b7d3c11',
  email: 'mara@example.com',
  name: 'Mara Marketer',
  roles: ['marketer'],
};

export function apiError(status: number, code: string, message: string, details: object = {}): Reply {
  return { status, body: { error: { code, message, details } } };
}

/**
 * Lists the shell's pages load on every visit answer empty unless a test says
 * otherwise, so a test about something else does not meet a "not found".
 */
const DEFAULT_ROUTES: Record<string, Reply> = {
  'GET /api/v1/campaigns': { status: 200, body: [] },
  'GET /api/v1/incidents': { status: 200, body: [] },
  'GET /api/v1/people': { status: 200, body: [mara, legalUser] },
  'GET /api/v1/approvals': { status: 200, body: [] },
};

export function installFakeApi(routes: Record<string, Reply> = {}): FakeApi {
  const table = new Map<string, Reply>(Object.entries({ ...DEFAULT_ROUTES, ...routes }));
  const requests: RecordedRequest[] = [];

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const text = typeof init.body === 'string' ? init.body : undefined;
    const request: RecordedRequest = {
      method,
      path: url.pathname + url.search,
      headers: new Headers(init.headers),
      credentials: init.credentials,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(request);
    let reply = table.get(`${method} ${url.pathname}`);
    if (!reply && method === 'GET' && url.pathname === '/api/v1/session') {
      reply = await sessionProbeFromMe(table.get('GET /api/v1/me'), request);
    }
    if (!reply) {
      reply = apiError(404, 'not_found', `No fake for ${method} ${url.pathname}.`);
    }
    while (typeof reply === 'function') reply = await reply(request);
    const body = reply.body === undefined ? null : JSON.stringify(reply.body);
    return new Response(body, {
      status: reply.status,
      headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...reply.headers },
    });
  });
  vi.stubGlobal('fetch', fetchMock);

  return {
    requests,
    on(route, reply) {
      table.set(route, reply);
    },
    requestsTo(route) {
      const [method, path] = route.split(' ');
      return requests.filter((r) => r.method === method && r.path.split('?')[0] === path);
    },
  };
}

/**
 * The dashboard's session probe answers as the server does: what a test gives
 * for `GET /api/v1/me`, except that "nobody is signed in" (401) is a 204. So a
 * test states who is signed in once, as `GET /api/v1/me`, for both.
 */
async function sessionProbeFromMe(me: Reply | undefined, request: RecordedRequest): Promise<Reply | undefined> {
  let reply = me;
  while (typeof reply === 'function') reply = await reply(request);
  return reply?.status === 401 ? { status: 204 } : reply;
}

/**
 * A keyset-paged list as docs/api.md "Paging" describes it: the first page
 * without `?after=`, page n+1 for the cursor page n answered in
 * `X-Next-Cursor` (every page but the last carries one), 422 for a cursor no
 * page answered. `?limit=` is ignored: the pages are what the test gives.
 */
export function pagedReply(pages: unknown[][]): (req: RecordedRequest) => Reply {
  return (req) => {
    const after = new URL(req.path, 'http://localhost').searchParams.get('after');
    const index = after === null ? 0 : pages.findIndex((_, i) => i > 0 && after === `cursor-${i}`);
    if (index < 0) {
      return apiError(422, 'validation_failed', 'The request has invalid fields.', { fields: { after: 'not a cursor' } });
    }
    const next = index + 1 < pages.length ? { 'X-Next-Cursor': `cursor-${index + 1}` } : undefined;
    return { status: 200, body: pages[index], headers: next };
  };
}
