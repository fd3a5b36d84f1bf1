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

export type Reply = { status: number; body?: unknown } | (() => Promise<Reply> | Reply);

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
};

export function installFakeApi(routes: Record<string, Reply> = {}): FakeApi {
  const table = new Map<string, Reply>(Object.entries({ ...DEFAULT_ROUTES, ...routes }));
  const requests: RecordedRequest[] = [];

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const text = typeof init.body === 'string' ? init.body : undefined;
    requests.push({
      method,
      path: url.pathname + url.search,
      headers: new Headers(init.headers),
      credentials: init.credentials,
      body: text ? JSON.parse(text) : undefined,
    });
    let reply = table.get(`${method} ${url.pathname}`);
    if (!reply) {
      reply = apiError(404, 'not_found', `No fake for ${method} ${url.pathname}.`);
    }
    while (typeof reply === 'function') reply = await reply();
    const body = reply.body === undefined ? null : JSON.stringify(reply.body);
    return new Response(body, {
      status: reply.status,
      headers: body ? { 'Content-Type': 'application/json' } : {},
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
