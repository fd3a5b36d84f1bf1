import type { Incident } from '../api/types';
import { useCan } from '../auth/can';
import { useWhy } from '../auth/why';
import { isPausable, useCampaign } from '../campaigns/api';
import { PauseReadout } from '../campaigns/PauseReadout';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { WhyText } from '../shell/WhyText';
import { useIncidentActions } from './api';

/**
 * Step 2, "Stop the fire": both pause planes of the incident's campaign
 * (Firebreak's and SendGrid's, held vs possibly received) and, while the
 * incident is open and the campaign still sends, one button that pauses it
 * (POST …/pause) for campaign.pause holders (disabled, saying who may, for
 * everyone else).
 */
export function StopPanel({ incident }: { incident: Incident }) {
  const campaign = useCampaign(incident.campaign_id);
  const can = useCan();
  const { pause } = useIncidentActions(incident.id);
  const why = useWhy(can('campaign.pause') ? null : 'Only marketers, security and admins can pause a campaign; call one of them now.');
  if (campaign.isPending) return <Loading label="Loading the campaign…" />;
  if (campaign.isError) {
    return <ErrorNotice error={campaign.error} title="Could not load the campaign" onRetry={() => void campaign.refetch()} />;
  }
  const c = campaign.data;
  return (
    <div>
      <PauseReadout campaign={c} />
      {incident.status === 'open' && isPausable(c.status) ? (
        <>
          <button
            type="button"
            className="button button--danger"
            onClick={() => pause.mutate()}
            {...why.props}
            disabled={why.props.disabled || pause.isPending}
          >
            {pause.isPending ? 'Pausing…' : 'Pause the campaign now'}
          </button>
          <WhyText id={why.id} why={why.why} />
        </>
      ) : null}
      {pause.error ? <ErrorNotice error={pause.error} title="The pause did not go through" /> : null}
    </div>
  );
}
