import type { CampaignStatus } from '../api/types';
import { Badge, type BadgeTone } from '../shell/Badge';

const TONES: Record<CampaignStatus, BadgeTone> = {
  draft: 'muted',
  sending: 'info',
  sent: 'good',
  paused: 'warn',
  cancelled: 'muted',
  failed: 'danger',
};

const LABELS: Record<CampaignStatus, string> = {
  draft: 'Draft',
  sending: 'Sending',
  sent: 'Sent',
  paused: 'Paused',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  return <Badge tone={TONES[status] ?? 'neutral'}>{LABELS[status] ?? status}</Badge>;
}
