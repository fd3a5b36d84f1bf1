import { describe, expect, it, vi } from 'vitest';
import { installFakeApi, apiError, pagedReply } from '../test/fakeApi';
import { installFakeXhr } from '../test/fakeXhr';
import { ApiClient, ApiError } from './client';

describe('ApiClient', () => {
  it('sends JSON with same-origin credentials and parses the answer', async () => {
    const fake = installFakeApi({ 'POST /api/v1/things': { status: 201, body: { id: 't1' } } });
    const api = new ApiClient();

    await expect(api.post('/api/v1/things', { name: 'x' })).resolves.toEqual({ id: 't1' });

    const [req] = fake.requests;
    expect(req?.credentials).toBe('same-origin');
    expect(req?.headers.get('Content-Type')).toBe('application/json');
    expect(req?.headers.get('Accept')).toBe('application/json');
    expect(req?.body).toEqual({ name: 'x' });
  });

  it('adds X-CSRF-Token to unsafe methods only, once a token is known', async () => {
    const fake = installFakeApi({
      'GET /api/v1/x': { status: 200, body: {} },
      'POST /api/v1/x': { status: 200, body: {} },
      'PUT /api/v1/x': { status: 200, body: {} },
      'PATCH /api/v1/x': { status: 200, body: {} },
      'DELETE /api/v1/x': { status: 204 },
    });
    const api = new ApiClient();

    await api.post('/api/v1/x', {});
    expect(fake.requests[0]?.headers.has('X-CSRF-Token')).toBe(false);

    api.setCsrfToken('tok');
    await api.get('/api/v1/x');
    await api.post('/api/v1/x', {});
    await api.put('/api/v1/x', {});
    await api.patch('/api/v1/x', {});
    await api.delete('/api/v1/x');
    expect(fake.requests.slice(1).map((r) => [r.method, r.headers.get('X-CSRF-Token')])).toEqual([
      ['GET', null],
      ['POST', 'tok'],
      ['PUT', 'tok'],
      ['PATCH', 'tok'],
      ['DELETE', 'tok'],
    ]);
  });

  it('resolves an empty 204 with undefined', async () => {
    installFakeApi({ 'DELETE /api/v1/session': { status: 204 } });
    await expect(new ApiClient().delete('/api/v1/session')).resolves.toBeUndefined();
  });

  it('turns the error shape into an ApiError with code, message, details and status', async () => {
    installFakeApi({
      'POST /api/v1/campaigns': apiError(422, 'unknown_segment', 'Segment "vip" does not exist.', {
        segments: ['vip'],
      }),
    });
    const err = await new ApiClient().post('/api/v1/campaigns', {}).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 422,
      code: 'unknown_segment',
      message: 'Segment "vip" does not exist.',
      details: { segments: ['vip'] },
    });
  });

  it('gives a readable error when the body is not the error shape', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>Bad Gateway</html>', { status: 502 })));
    const err = await new ApiClient().get('/api/v1/me').catch((e: unknown) => e);

    expect(err).toMatchObject({ status: 502, code: 'http_502', details: {} });
    expect((err as ApiError).message).toMatch(/HTTP 502/);
  });

  it('reports an unreachable server as status 0 network_error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const err = await new ApiClient().get('/api/v1/me').catch((e: unknown) => e);

    expect(err).toMatchObject({ status: 0, code: 'network_error' });
  });

  it('builds query strings and leaves out undefined values', async () => {
    const fake = installFakeApi({ 'GET /api/v1/incidents': { status: 200, body: [] } });
    await new ApiClient().get('/api/v1/incidents', { query: { status: 'open', owner: undefined } });

    expect(fake.requests[0]?.path).toBe('/api/v1/incidents?status=open');
  });

  it('repeats the key for each value of a list', async () => {
    const fake = installFakeApi({ 'GET /api/v1/audience': { status: 200, body: {} } });
    await new ApiClient().get('/api/v1/audience', { query: { segment: ['vip', 'spring sale'], asm_group_id: 7 } });

    expect(fake.requests[0]?.path).toBe('/api/v1/audience?segment=vip&segment=spring+sale&asm_group_id=7');
  });

  it('getAll follows X-Next-Cursor to the last page, keeping the filters, at the largest page size', async () => {
    const fake = installFakeApi({ 'GET /api/v1/things': pagedReply([[1, 2], [3, 4], [5]]) });

    await expect(new ApiClient().getAll<number>('/api/v1/things', { query: { status: 'open' } })).resolves.toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/api/v1/things?status=open&limit=500',
      '/api/v1/things?status=open&limit=500&after=cursor-1',
      '/api/v1/things?status=open&limit=500&after=cursor-2',
    ]);
  });

  it('getPage answers one page and the cursor of the next (null on the last)', async () => {
    installFakeApi({ 'GET /api/v1/things': pagedReply([['a'], ['b']]) });
    const api = new ApiClient();

    await expect(api.getPage<string>('/api/v1/things')).resolves.toEqual({ items: ['a'], next: 'cursor-1' });
    await expect(api.getPage<string>('/api/v1/things', { after: 'cursor-1' })).resolves.toEqual({ items: ['b'], next: null });
  });

  it('getAll refuses a server that answers the same cursor twice instead of paging forever', async () => {
    const fake = installFakeApi({
      'GET /api/v1/things': { status: 200, body: [1], headers: { 'X-Next-Cursor': 'again' } },
    });
    const err = await new ApiClient().getAll('/api/v1/things').catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'unexpected_response' });
    expect(fake.requests).toHaveLength(2);
  });

  it('getAll refuses a page that is not a list', async () => {
    installFakeApi({ 'GET /api/v1/things': { status: 200, body: { items: [] } } });
    const err = await new ApiClient().getAll('/api/v1/things').catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'unexpected_response' });
  });

  describe('upload', () => {
    it('POSTs the file as is with its type and the CSRF token, reports progress, and parses the answer', async () => {
      const xhr = installFakeXhr();
      const api = new ApiClient();
      api.setCsrfToken('tok');
      const file = new Blob(['email\na@example.com\n'], { type: 'text/csv' });
      const seen: string[] = [];

      const answer = api.upload('/api/v1/recipients/import', file, {
        contentType: 'text/csv',
        onProgress: (p) => seen.push(`${p.loaded}/${p.total}`),
      });
      const [up] = xhr.uploads;
      expect(up).toMatchObject({ method: 'POST', url: '/api/v1/recipients/import', body: file });
      expect(up?.headers).toEqual({ Accept: 'application/json', 'Content-Type': 'text/csv', 'X-CSRF-Token': 'tok' });
      up?.progress(10, 20);
      up?.respond(200, { imported: 1, updated: 0, rejected: [], rejected_total: 0 });

      await expect(answer).resolves.toEqual({ imported: 1, updated: 0, rejected: [], rejected_total: 0 });
      expect(seen).toEqual(['10/20', '20/20']);
    });

    it('turns an error answer into an ApiError, and no answer into network_error', async () => {
      const xhr = installFakeXhr();
      const api = new ApiClient();
      const file = new Blob(['x']);

      const refused = api.upload('/api/v1/recipients/import', file, { contentType: 'text/csv' }).catch((e: unknown) => e);
      xhr.uploads[0]?.respond(422, { error: { code: 'bad_csv_header', message: 'The file has no email column.', details: { problem: 'no_email_column' } } });
      expect(await refused).toMatchObject({ status: 422, code: 'bad_csv_header', message: 'The file has no email column.', details: { problem: 'no_email_column' } });

      const lost = api.upload('/api/v1/recipients/import', file, { contentType: 'text/csv' }).catch((e: unknown) => e);
      xhr.uploads[1]?.fail();
      expect(await lost).toMatchObject({ status: 0, code: 'network_error' });
    });

    it('rejects with an AbortError when aborted', async () => {
      installFakeXhr();
      const controller = new AbortController();
      const pending = new ApiClient()
        .upload('/api/v1/recipients/import', new Blob(['x']), { contentType: 'text/csv', signal: controller.signal })
        .catch((e: unknown) => e);
      controller.abort();
      expect(await pending).toMatchObject({ name: 'AbortError' });
    });
  });
});
