/**
 * The campaign form's model: what the inputs hold (numbers as typed, minutes
 * for durations), and its conversions to the wire — a new campaign, the
 * changes a PATCH sends — and back from a campaign.
 */
import { isApiError } from '../api/client';
import type { Campaign, CampaignPatch, NewCampaign } from '../api/types';

export interface CampaignDraft {
  name: string;
  brand_id: string;
  subject: string;
  html: string;
  text: string;
  segments: string[];
  /** Minutes, as typed. */
  send_buffer_minutes: string;
  /** Percent, as typed; 0 for no canary. */
  canary_percent: string;
  /** Minutes, as typed. */
  canary_hold_minutes: string;
  /** A SendGrid unsubscribe group id, as typed; empty for none. */
  asm_group_id: string;
}

/** A new campaign: Firebreak's default buffer (15 min), no canary. */
export function emptyDraft(brandId = ''): CampaignDraft {
  return {
    name: '',
    brand_id: brandId,
    subject: '',
    html: '',
    text: '',
    segments: [],
    send_buffer_minutes: '15',
    canary_percent: '0',
    canary_hold_minutes: '60',
    asm_group_id: '',
  };
}

const minutesOf = (seconds: number) => String(Math.round((seconds / 60) * 100) / 100);

export function draftOf(c: Campaign): CampaignDraft {
  return {
    name: c.name,
    brand_id: c.brand_id,
    subject: c.subject,
    html: c.html ?? '',
    text: c.text ?? '',
    segments: [...c.segments],
    send_buffer_minutes: minutesOf(c.send_buffer_seconds),
    canary_percent: String(c.canary_percent),
    canary_hold_minutes: c.canary_percent > 0 || c.canary_hold_seconds > 0 ? minutesOf(c.canary_hold_seconds) : '60',
    asm_group_id: c.asm_group_id ? String(c.asm_group_id) : '',
  };
}

/** The numbers of a draft, or the field errors (by the API's field names) of those that are not numbers. */
export function draftNumbers(d: CampaignDraft):
  | { ok: true; send_buffer_seconds: number; canary_percent: number; canary_hold_seconds: number; asm_group_id: number }
  | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const num = (value: string, field: string, message: string, { integer = false } = {}) => {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) errors[field] = message;
    return n;
  };
  const buffer = num(d.send_buffer_minutes, 'send_buffer_seconds', 'Enter the minutes (0 sends at once).');
  const percent = num(d.canary_percent, 'canary_percent', 'Enter a percentage from 0 to 100 (0 for no canary).');
  if (!errors.canary_percent && percent > 100) errors.canary_percent = 'Enter a percentage from 0 to 100 (0 for no canary).';
  const hold = percent > 0 ? num(d.canary_hold_minutes, 'canary_hold_seconds', 'Enter how many minutes to watch the canary.') : 0;
  const group = d.asm_group_id.trim() === '' ? 0 : num(d.asm_group_id, 'asm_group_id', 'Enter the group’s number, or leave it empty.', { integer: true });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    send_buffer_seconds: Math.round(buffer * 60),
    canary_percent: percent,
    canary_hold_seconds: Math.round(hold * 60),
    asm_group_id: group,
  };
}

/** POST /api/v1/campaigns's body (the numbers already checked by draftNumbers). */
export function toNewCampaign(d: CampaignDraft): NewCampaign | { errors: Record<string, string> } {
  const n = draftNumbers(d);
  if (!n.ok) return { errors: n.errors };
  const body: NewCampaign = {
    name: d.name,
    brand_id: d.brand_id,
    subject: d.subject,
    html: d.html,
    text: d.text,
    segments: d.segments,
    send_buffer_seconds: n.send_buffer_seconds,
    canary_percent: n.canary_percent,
  };
  if (n.canary_percent > 0) body.canary_hold_seconds = n.canary_hold_seconds;
  if (n.asm_group_id > 0) body.asm_group_id = n.asm_group_id;
  return body;
}

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((s, i) => s === y[i]);
};

/**
 * What a draft's PATCH sends: only the fields that differ from the campaign as
 * saved (the numbers only once they are numbers; errors for those that are not).
 */
export function draftChanges(saved: Campaign, d: CampaignDraft): { patch: CampaignPatch; errors: Record<string, string> } {
  const patch: CampaignPatch = contentChanges(saved, d);
  if (d.name !== saved.name) patch.name = d.name;
  if (!sameSet(d.segments, saved.segments)) patch.segments = d.segments;
  const n = draftNumbers(d);
  if (!n.ok) return { patch, errors: n.errors };
  if (n.send_buffer_seconds !== saved.send_buffer_seconds) patch.send_buffer_seconds = n.send_buffer_seconds;
  if (n.canary_percent !== saved.canary_percent) patch.canary_percent = n.canary_percent;
  if (n.canary_percent > 0 && n.canary_hold_seconds !== saved.canary_hold_seconds) patch.canary_hold_seconds = n.canary_hold_seconds;
  if (n.asm_group_id !== (saved.asm_group_id ?? 0)) patch.asm_group_id = n.asm_group_id;
  return { patch, errors: {} };
}

/** The content fields (subject, html, text) that differ from the campaign as saved: a paused campaign's correction. */
export function contentChanges(saved: Campaign, d: Pick<CampaignDraft, 'subject' | 'html' | 'text'>): CampaignPatch {
  const patch: CampaignPatch = {};
  if (d.subject !== saved.subject) patch.subject = d.subject;
  if (d.html !== (saved.html ?? '')) patch.html = d.html;
  if (d.text !== (saved.text ?? '')) patch.text = d.text;
  return patch;
}

/**
 * The field errors of a refusal, by the API's field names: 422 validation_failed
 * and not_draft_field carry them in details.fields ({field: problem}, or a list
 * of fields). Empty for any other error.
 */
export function fieldErrorsOf(err: unknown): Record<string, string> {
  if (!isApiError(err) || (err.code !== 'validation_failed' && err.code !== 'not_draft_field')) return {};
  const fields = err.details.fields;
  if (Array.isArray(fields)) {
    return Object.fromEntries(fields.filter((f) => typeof f === 'string').map((f) => [f, 'can only change on a draft']));
  }
  if (fields && typeof fields === 'object') {
    return Object.fromEntries(Object.entries(fields as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  return {};
}
