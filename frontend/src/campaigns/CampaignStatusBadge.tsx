import type { Campaign, CampaignStatus } from '../api/types';
import { Badge, type BadgeTone } from '../shell/Badge';
import { campaignStateLabel } from './messages';

const TONES: Record<CampaignStatus, BadgeTone> = {
  draft: 'muted',
  sending: 'info',
  sent: 'good',
  paused: 'warn',
  cancelled: 'muted',
  failed: 'danger',
};

/**
 * The campaign's state in a word or two. With its messages, a sent campaign
 * SendGrid could still hold reads "At SendGrid, stoppable", not "Sent"
 * (messages.ts).
 */
export function CampaignStatusBadge({ status, messages }: { status: CampaignStatus; messages?: Campaign['messages'] }) {
  const stoppable = status === 'sent' && (messages?.stoppable ?? 0) > 0;
  return <Badge tone={stoppable ? 'warn' : (TONES[status] ?? 'neutral')}>{campaignStateLabel(status, messages) ?? status}</Badge>;
}
