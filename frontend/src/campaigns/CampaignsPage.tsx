import { useState } from 'react';
import { Link } from 'react-router';
import type { Campaign } from '../api/types';
import { useCan } from '../auth/can';
import { useIncidents } from '../incidents/api';
import { formatCount, formatRate, formatTime } from '../lib/format';
import { EmptyState } from '../shell/EmptyState';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { isPausable, useCampaigns } from './api';
import { useAudience } from './draftApi';
import { CampaignStatusBadge } from './CampaignStatusBadge';
import { WatchedBadge } from './CautionNotice';
import { PauseDialog } from './PauseDialog';

/** Thresholds the deliverability-spike runbook pauses at; shown in amber before that. */
const COMPLAINT_WARN = 0.001;
const COMPLAINT_BAD = 0.003;
const BOUNCE_WARN = 0.02;
const BOUNCE_BAD = 0.05;

/** /campaigns — every campaign with its delivery numbers and a Pause on what is still going out. */
export function CampaignsPage() {
  const campaigns = useCampaigns();
  const incidents = useIncidents();
  const can = useCan();
  const [pausing, setPausing] = useState<Campaign | null>(null);

  const openIncidentOf = new Map(
    (incidents.data ?? []).filter((i) => i.status === 'open').map((i) => [i.campaign_id, i.id]),
  );

  return (
    <>
      <PageHeader title="Campaigns">
        Campaigns sent through Firebreak, with what reached SendGrid and what can still be held.
      </PageHeader>
      {can('campaign.create') ? (
        <div className="action-bar page-actions">
          <Link to="/campaigns/new" className="button button--primary">
            New campaign
          </Link>
        </div>
      ) : null}

      {campaigns.isPending ? <Loading label="Loading campaigns…" /> : null}
      {campaigns.isError && !campaigns.isFetchNextPageError ? (
        <ErrorNotice error={campaigns.error} title="Could not load campaigns" onRetry={() => void campaigns.refetch()} />
      ) : null}
      {campaigns.data && campaigns.data.length === 0 ? (
        <EmptyState title="No campaigns yet">
          Campaigns you create and send will appear here, with their delivery counts and a pause button.
        </EmptyState>
      ) : null}

      {campaigns.data && campaigns.data.length > 0 ? (
        <div className="table-wrap">
          <table className="data-table campaigns-table">
            <caption className="visually-hidden">Campaigns, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Audience</th>
                <th scope="col" className="num">Handed over</th>
                <th scope="col" className="num">Delivered</th>
                <th scope="col" className="num">Complaints</th>
                <th scope="col" className="num">Hard bounces</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {campaigns.data.map((c) => {
                const incidentId = openIncidentOf.get(c.id);
                return (
                  <tr key={c.id} data-campaign-id={c.id}>
                    <th scope="row" data-label="Campaign">
                      <Link to={`/campaigns/${c.id}`} className="row-title">
                        {c.name}
                      </Link>
                      {c.segments.length > 0 ? <span className="row-sub">{c.segments.join(', ')}</span> : null}
                    </th>
                    <td data-label="Status">
                      <CampaignStatusBadge status={c.status} messages={c.messages} /> <WatchedBadge caution={c.caution} />
                      {c.status === 'paused' && c.paused_at ? (
                        <span className="row-sub">since {formatTime(c.paused_at)}</span>
                      ) : null}
                    </td>
                    <td className="num" data-label="Audience">
                      {c.status === 'draft' ? <DraftAudience campaign={c} /> : formatCount(c.counts.audience)}
                    </td>
                    <td className="num" data-label="Handed over">
                      {formatCount(c.counts.handed_to_esp)}
                    </td>
                    <td className="num" data-label="Delivered">
                      {formatCount(c.counts.delivered)}
                    </td>
                    <td className="num" data-label="Complaints">
                      <RateCell value={c.counts.rates.complaint_rate} warn={COMPLAINT_WARN} bad={COMPLAINT_BAD} />
                    </td>
                    <td className="num" data-label="Hard bounces">
                      <RateCell value={c.counts.rates.hard_bounce_rate} warn={BOUNCE_WARN} bad={BOUNCE_BAD} />
                    </td>
                    <td className="actions" data-label="Actions">
                      {isPausable(c.status) && can('campaign.pause') ? (
                        <button
                          type="button"
                          className="button button--danger button--pause"
                          onClick={() => setPausing(c)}
                          aria-label={`Pause ${c.name}`}
                        >
                          Pause
                        </button>
                      ) : null}
                      {incidentId ? (
                        <Link to={`/incidents/${incidentId}`} className="button button--secondary">
                          Incident
                        </Link>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {campaigns.isFetchNextPageError ? (
        <ErrorNotice error={campaigns.error} title="Could not load older campaigns" />
      ) : null}
      {campaigns.hasNextPage ? (
        <p className="load-more">
          <button
            type="button"
            className="button button--secondary"
            onClick={() => void campaigns.fetchNextPage()}
            disabled={campaigns.isFetchingNextPage}
          >
            {campaigns.isFetchingNextPage ? 'Loading older campaigns…' : 'Show older campaigns'}
          </button>
        </p>
      ) : null}

      {pausing ? <PauseDialog campaign={pausing} onClose={() => setPausing(null)} /> : null}
    </>
  );
}

function RateCell({ value, warn, bad }: { value: number; warn: number; bad: number }) {
  const level = value >= bad ? 'bad' : value >= warn ? 'warn' : 'ok';
  return (
    <span className={`rate rate--${level}`}>
      {formatRate(value)}
      {level === 'bad' ? <span className="visually-hidden"> (over the pause threshold)</span> : null}
    </span>
  );
}

/**
 * A draft has no snapshot yet (counts.audience is 0 until it is sent): show
 * who a send now would reach — its segments' members minus suppressed
 * addresses — marked as a live estimate.
 */
function DraftAudience({ campaign: c }: { campaign: Campaign }) {
  const audience = useAudience(c.segments, c.asm_group_id ?? undefined);
  if (c.segments.length === 0) return <span className="muted">No segment yet</span>;
  if (audience.isError) return <span className="muted">Not counted</span>;
  if (!audience.data) return <span className="muted">Counting…</span>;
  return (
    <>
      {formatCount(audience.data.audience)}
      <span className="row-sub">if sent now</span>
    </>
  );
}
