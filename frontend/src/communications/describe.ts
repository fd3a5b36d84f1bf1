/** Step 5 in words: kinds, statuses, scopes, where a preflight problem belongs, why a runbook says no. */
import type {
  CommunicationKind,
  CommunicationProblem,
  CommunicationProblemCode,
  CommunicationScope,
  CommunicationStatus,
  Runbook,
} from '../api/types';
import type { BadgeTone } from '../shell/Badge';

export const KIND_LABEL: Record<CommunicationKind, string> = {
  apology: 'Apology',
  correction: 'Correction',
  breach_notice: 'Breach notice',
};

export const STATUS_LABEL: Record<CommunicationStatus, { label: string; tone: BadgeTone }> = {
  draft: { label: 'Draft', tone: 'neutral' },
  in_review: { label: 'In review', tone: 'info' },
  approved: { label: 'Approved', tone: 'info' },
  sending: { label: 'Sending', tone: 'warn' },
  paused: { label: 'Paused', tone: 'warn' },
  sent: { label: 'Sent', tone: 'good' },
  cancelled: { label: 'Cancelled', tone: 'muted' },
};

export const SCOPE_LABEL: Record<CommunicationScope, { label: string; hint: string }> = {
  possibly_received: {
    label: 'Possibly received',
    hint: 'everyone handed to SendGrid and not held (those in doubt count)',
  },
  delivered: { label: 'Delivered', hint: 'only those SendGrid reported delivered' },
  opened: { label: 'Opened', hint: 'only those who opened the mistaken email' },
};

/** The composer's places a preflight problem can be shown next to. */
export type ProblemField = 'subject' | 'body' | 'reply_to' | 'brand' | 'other';

const FIELD_OF: Record<CommunicationProblemCode, ProblemField> = {
  unclear_subject: 'subject',
  title: 'subject',
  no_apology: 'body',
  humour: 'body',
  unresolved_merge_tag: 'body',
  missing_section: 'body',
  missing_protective_steps: 'body',
  plain_language: 'body',
  unfinished_draft: 'body',
  no_reply_address: 'reply_to',
  not_branded: 'brand',
};

export function problemField(code: string): ProblemField {
  return FIELD_OF[code as CommunicationProblemCode] ?? 'other';
}

/** The problems that belong to one field, in the order the preflight gave them. */
export function problemsFor(problems: readonly CommunicationProblem[] | undefined, field: ProblemField) {
  return (problems ?? []).filter((p) => problemField(p.code) === field);
}

/**
 * Why a runbook forbids an apology or correction, in words: the server's
 * (GET /api/v1/runbooks/{id} apology.reason, the same as the 409's message).
 */
export function notAllowedReason(runbook: Pick<Runbook, 'id' | 'apology'>): string {
  return (
    runbook.apology.reason ||
    `No apology for this incident: its runbook (${runbook.id}) does not allow an apology or correction.`
  );
}

/** The kinds the composer offers for a runbook: the server's (GET /api/v1/runbooks/{id} apology.kinds). */
export function offeredKinds(runbook: Pick<Runbook, 'apology'>): CommunicationKind[] {
  return [...runbook.apology.kinds];
}
