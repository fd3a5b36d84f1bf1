/** A campaign's settings and preflight in words: the send buffer, the canary, where a problem belongs. */
import type { CampaignProblem } from '../api/types';
import { formatCount, formatDuration } from '../lib/format';

/** SendGrid honours a pause only when it arrives at least this long before a message's send_at. */
export const SENDGRID_PAUSE_LEAD_SECONDS = 600;

/**
 * What a send buffer means for a pause: SendGrid gets each message `buffer`
 * before it goes, and holds it on a pause that arrives at least 10 minutes
 * before then, so the catch window is buffer − 10 min.
 */
export function describeSendBuffer(seconds: number): string {
  if (seconds <= 0) return 'Sent at once: a pause cannot hold anything at SendGrid.';
  const ahead = `SendGrid gets each message ${formatDuration(seconds)} before it goes`;
  const window = seconds - SENDGRID_PAUSE_LEAD_SECONDS;
  if (window <= 0) {
    return `${ahead}: too short for a pause to hold it there (SendGrid needs a pause 10 min before a message goes).`;
  }
  return `${ahead}: a pause within the first ${formatDuration(window)} still holds it there.`;
}

/**
 * What a canary wave does: `percent` of the audience goes first, the rest
 * waits until the canary's messages have gone out and `holdSeconds` more, and
 * is released only if the campaign is not paused by then.
 */
export function describeCanary(percent: number, holdSeconds: number, audience?: number): string {
  if (percent <= 0) return 'No canary: the whole audience is handed over in one go.';
  const share = audience ? ` (about ${formatCount(Math.ceil((audience * percent) / 100))} recipients)` : '';
  const first = `${percent} % of the audience${share} goes first`;
  if (holdSeconds <= 0) {
    return `${first}; the rest follows as soon as the canary's messages have gone out, with no time to look at them: set a hold.`;
  }
  return `${first}; the rest waits until the canary's messages have gone out and ${formatDuration(holdSeconds)} more, and goes only if the campaign has not been paused by then.`;
}

/** The places on the campaign form a preflight problem is shown next to. */
export type CampaignProblemField = 'brand' | 'segments' | 'subject' | 'html' | 'text' | 'other';

export interface CampaignContent {
  subject: string;
  html: string;
  text: string;
}

const CONTENT_FIELDS = ['subject', 'html', 'text'] as const;

/**
 * Where a preflight problem belongs: the subject (empty_subject), the brand
 * (its reply-to: missing_reply_to, noreply_reply_to), the segments
 * (empty_audience), and for a merge tag (invalid_merge_tag, whose example is
 * the tag; unresolved_merge_tag, whose message starts with it) every editor
 * whose content has that tag — the HTML body when none has it any more.
 */
export function campaignProblemPlaces(problem: Pick<CampaignProblem, 'code' | 'message' | 'examples'>, content: CampaignContent): CampaignProblemField[] {
  switch (problem.code) {
    case 'empty_subject':
      return ['subject'];
    case 'missing_reply_to':
    case 'noreply_reply_to':
      return ['brand'];
    case 'empty_audience':
      return ['segments'];
    case 'invalid_merge_tag':
    case 'unresolved_merge_tag': {
      const tag = problem.code === 'invalid_merge_tag' ? problem.examples[0] : /\{\{[^}]*\}\}/.exec(problem.message)?.[0];
      const places = tag ? CONTENT_FIELDS.filter((f) => content[f].includes(tag)) : [];
      return places.length > 0 ? places : ['html'];
    }
    default:
      return ['other'];
  }
}

/** The problems of each place, in the preflight's order (a problem may be in several). */
export function campaignProblemsByPlace(
  problems: readonly CampaignProblem[] | undefined,
  content: CampaignContent,
): Record<CampaignProblemField, CampaignProblem[]> {
  const out: Record<CampaignProblemField, CampaignProblem[]> = { brand: [], segments: [], subject: [], html: [], text: [], other: [] };
  for (const p of problems ?? []) for (const place of campaignProblemPlaces(p, content)) out[place].push(p);
  return out;
}
