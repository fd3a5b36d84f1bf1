/**
 * Seeding through the real API with the admin token the global setup created:
 * a brand, recipients in segments (CSV import), and campaigns for the specs.
 */
import { baseURL } from './env';

/** Recipients per segment. A recipient may be in several (`spring-sale;vip`). */
export const SEGMENTS = {
  /** Scenario 1, the pause: 60 spring-sale (20 of them also vip) + 10 vip only = 70 recipients. */
  springSale: 'spring-sale',
  vip: 'vip',
  /** Scenario 2, the webhook spike: 320 recipients, more than the 200 the rules wait for. */
  spike: 'spike',
  /** Scenario 3 and the campaign list: 30 newsletter readers. */
  newsletter: 'newsletter',
  /** The assessment's numbers: 60 weekend (20 of them also weekend-vip), apart from scenario 1's recipients (a send
   * bounces 15 %, and the bounced become suppressed: sharing spring-sale would shrink the pause flow's 70). */
  weekend: 'weekend',
  /** The vocabulary spec: 40 recipients of its own (its delivered campaign bounces some, which suppresses them). */
  vocab: 'vocab',
} as const;

function csv(): string {
  const rows = ['email,first_name,last_name,segments,city'];
  const pad = (i: number) => String(i).padStart(3, '0');
  for (let i = 0; i < 60; i++) rows.push(`p${pad(i)}@example.com,Pat,Doe,${i < 20 ? 'spring-sale;vip' : 'spring-sale'},Portland`);
  for (let i = 0; i < 10; i++) rows.push(`v${pad(i)}@example.com,Val,Doe,vip,Portland`);
  for (let i = 0; i < 320; i++) rows.push(`s${pad(i)}@example.com,Sam,Doe,spike,Portland`);
  for (let i = 0; i < 30; i++) rows.push(`n${pad(i)}@example.com,Nia,Doe,newsletter,Portland`);
  for (let i = 0; i < 60; i++) rows.push(`w${pad(i)}@example.com,Wes,Doe,${i < 20 ? 'weekend;weekend-vip' : 'weekend'},Portland`);
  for (let i = 0; i < 40; i++) rows.push(`q${pad(i)}@example.com,Quinn,Doe,vocab,Portland`);
  return `${rows.join('\n')}\n`;
}

export class AdminApi {
  constructor(
    private readonly token: string = process.env.E2E_ADMIN_TOKEN ?? '',
    private readonly base: string = baseURL,
  ) {
    if (!this.token) throw new Error('E2E_ADMIN_TOKEN is not set: the global setup creates it.');
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': contentType } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A campaign of the seeded brand (or of `brand_id`, for a spec that needs a brand of its own). */
  createCampaign(fields: { name: string; segments: string[]; send_buffer_seconds?: number; brand_id?: string }) {
    const brand_id = process.env.E2E_BRAND_ID;
    return this.request<{ id: string; name: string }>('POST', '/api/v1/campaigns', {
      brand_id,
      subject: `${fields.name}: {{first_name|Friend}}, this weekend only`,
      html: '<p>Hi {{first_name|there}},</p><p>Our sale is on until Sunday. <a href="https://example.com/sale">Shop now</a></p>',
      text: 'Hi {{first_name|there}}, our sale is on until Sunday: https://example.com/sale',
      ...fields,
    });
  }

  /**
   * Send a draft as the admin. A spec that resolves an incident (pause-flow)
   * opens a step 6 watch window on the shared brand, which would make every
   * later spec's campaign a 10 % canary; specs that are not about step 6 send
   * without it (the admin's audited override). `keepCaution` sends as a
   * marketer would: with the watch's canary (step6.spec.ts).
   */
  async send(id: string, opts: { keepCaution?: boolean } = {}) {
    const draft = await this.request<{ caution: unknown }>('GET', `/api/v1/campaigns/${id}`);
    const body =
      draft.caution && !opts.keepCaution
        ? { override_caution_reason: 'e2e: this spec is not about step 6, it needs the whole audience' }
        : undefined;
    return this.request<{ status: string; audience: number }>('POST', `/api/v1/campaigns/${id}/send`, body);
  }

  campaign(id: string) {
    return this.request<{
      id: string;
      status: string;
      counts: { audience: number; handed_to_esp: number; withdrawn: number };
      esp_pause: { state: string };
    }>('GET', `/api/v1/campaigns/${id}`);
  }

  /** Polls the campaign until `done` says so (or throws after `timeoutMs`). */
  async waitForCampaign(
    id: string,
    done: (c: Awaited<ReturnType<AdminApi['campaign']>>) => boolean,
    timeoutMs = 20_000,
  ) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.campaign(id);
      if (done(c)) return c;
      if (Date.now() > until) throw new Error(`campaign ${id} did not get there: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Creates the brand and imports the recipients; returns the brand id. */
export async function seedRecipients(base: string, token: string): Promise<string> {
  const api = new AdminApi(token, base);
  const brand = await api.request<{ id: string }>('POST', '/api/v1/brands', {
    name: 'Acme Outdoor',
    from_email: 'news@acme-outdoor.example',
    from_name: 'Acme Outdoor',
    reply_to: 'help@acme-outdoor.example',
    primary_color: '#1f6f5c',
    physical_address: '1 Trail Way, Portland, OR',
  });
  const result = await api.request<{ imported: number; rejected: unknown[] }>(
    'POST',
    '/api/v1/recipients/import',
    csv(),
    'text/csv',
  );
  if (result.rejected.length > 0) throw new Error(`recipient import rejected rows: ${JSON.stringify(result.rejected)}`);
  return brand.id;
}
