import type { Incident } from '../api/types';
import { useCan } from '../auth/can';
import { isPausable, useCampaign } from '../campaigns/api';
import { PauseReadout } from '../campaigns/PauseReadout';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { useIncidentActions } from './api';

/**
 * Step 2, "Stop the fire": both pause planes of the incident's campaign
 * (Firebreak's and SendGrid's, held vs possibly received) and, while the
 * incident is open and the campaign still sends, one button that pauses it
 * (POST …/pause) for campaign.pause holders.
 */
export function StopPanel({ incident }: { incident: Incident }) {
  const campaign = useCampaign(incident.campaign_id);
  const can = useCan();
  const { pause } = useIncidentActions(incident.id);
  if (campaign.isPending) return <Loading label="Loading the campaign…" />;
  if (campaign.isError) {
    return <ErrorNotice error={campaign.error} title="Could not load the campaign" onRetry={() => void campaign.refetch()} />;
  }
  const c = campaign.data;
  return (
    <div>
      <PauseReadout campaign={c} />
      {incident.status === 'open' && isPausable(c.status) && can('campaign.pause') ? (
        <button
          type="button"
          className="button button--danger"
          onClick={() => pause.mutate()}
          disabled={pause.isPending}
        >
          {pause.isPending ? 'Pausing…' : 'Pause the campaign now'}
        </button>
      ) : null}
      {pause.error ? <ErrorNotice error={pause.error} title="The pause did not go through" /> : null}
    </div>
  );
}
