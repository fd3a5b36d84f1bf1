import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Campaign } from '../api/types';
import { useCan } from '../auth/can';
import { useCampaignIncidents } from '../incidents/api';
import { DeclareDialog } from '../incidents/DeclareDialog';
import { formatCount, formatDateTime, formatRate } from '../lib/format';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { isLive, isPausable, useCampaign, useCampaignEventSeries } from './api';
import { CampaignStatusBadge } from './CampaignStatusBadge';
import { CancelDialog } from './CancelDialog';
import { CautionNotice } from './CautionNotice';
import { DraftCampaignView } from './DraftCampaignView';
import { EventsChart } from './EventsChart';
import { PauseDialog } from './PauseDialog';
import { FixContentPanel, FixNotice } from './FixContentPanel';
import { MessageStages } from './MessageStages';
import { PauseReadout, StoppabilityText } from './PauseReadout';
import { ResumeDialog } from './ResumeDialog';
import { SubjectLine } from './SubjectLine';

/**
 * /campaigns/:id — a draft's composer (DraftCampaignView); for anything sent:
 * counters, the pause state, events over time, pause / fix content / resume /
 * cancel, what a corrected resume withdrew and re-sent, and (step 6) whether it
 * went out as a canary because its brand is watched after an incident.
 */
export function CampaignDetailPage() {
  const { id = '' } = useParams();
  const campaign = useCampaign(id);

  if (campaign.isPending) return <Loading label="Loading the campaign…" />;
  if (campaign.isError) {
    return (
      <>
        <PageHeader title="Campaign" />
        <ErrorNotice error={campaign.error} title="Could not load the campaign" onRetry={() => void campaign.refetch()} />
        <p>
          <Link to="/campaigns">Back to campaigns</Link>
        </p>
      </>
    );
  }
  // A draft is composed (edit, check, preview, test, send); anything sent is watched and controlled.
  return campaign.data.status === 'draft' ? (
    <DraftCampaignView campaign={campaign.data} />
  ) : (
    <CampaignView campaign={campaign.data} />
  );
}

// What recipients did with what reached them. Where each message is (handed
// over, held, delivered…) is Campaign.messages, shown once by MessageStages.
const COUNTERS: ReadonlyArray<{ key: keyof Omit<Campaign['counts'], 'rates'>; label: string }> = [
  { key: 'opened', label: 'Opened' },
  { key: 'clicked', label: 'Clicked' },
  { key: 'complained', label: 'Complained' },
  { key: 'unsubscribed', label: 'Unsubscribed' },
  { key: 'hard_bounced', label: 'Hard bounced' },
  { key: 'deferred', label: 'Deferred (retried by SendGrid)' },
];

function CampaignView({ campaign: c }: { campaign: Campaign }) {
  const can = useCan();
  const events = useCampaignEventSeries(c.id, isLive(c.status));
  const incidents = useCampaignIncidents(c.id);
  const [dialog, setDialog] = useState<'pause' | 'resume' | 'cancel' | 'declare' | null>(null);
  const [fixing, setFixing] = useState(false);
  // Open first, then newest: the incident that matters now.
  const incident = incidents.data?.[0];
  const paused = c.status === 'paused';
  // Declaring makes sense once something went out, and when no incident is open (a second one would join it).
  const canDeclare = c.status !== 'draft' && incident?.status !== 'open' && !incidents.isPending && can('incident.declare');
  const canCancel = ['draft', 'sending', 'paused', 'sent'].includes(c.status) && can('campaign.cancel');
  const showReadout = paused || c.status === 'cancelled' || c.esp_pause.state !== 'none';

  return (
    <div className="campaign-page">
      <PageHeader title={c.name}>
        <SubjectLine subject={c.subject} />
      </PageHeader>
      <div className="incident-meta">
        <CampaignStatusBadge status={c.status} messages={c.messages} />
        <span>Segments: {c.segments.length ? c.segments.join(', ') : '—'}</span>
        <span>Send buffer: {Math.round(c.send_buffer_seconds / 60)} min</span>
        {c.send_started_at ? <span>Started {formatDateTime(c.send_started_at)}</span> : null}
        {incident ? (
          <Link to={`/incidents/${incident.id}`}>
            {incident.status === 'open' ? 'Open incident' : 'Resolved incident'}
          </Link>
        ) : null}
      </div>
      {c.review?.approval ? (
        <p className="muted review-sent-with">
          Second pair of eyes: approved by {c.review.approval.name} at {formatDateTime(c.review.approval.at)}.
        </p>
      ) : null}
      <CautionNotice campaign={c} />

      {c.counts.withdrawn > 0 ? (
        <p className="callout" role="status">
          <strong>{formatCount(c.counts.withdrawn)} withdrawn and re-sent</strong>: messages SendGrid held with the old
          content were discarded there and handed over again with the corrected content.
        </p>
      ) : null}
      {paused && c.fix ? <FixNotice fix={c.fix} /> : null}

      <div className="action-bar">
        {isPausable(c.status) && can('campaign.pause') ? (
          <button type="button" className="button button--danger button--pause" onClick={() => setDialog('pause')}>
            Pause
          </button>
        ) : null}
        {paused && can('campaign.create') ? (
          <button type="button" className="button button--secondary" aria-expanded={fixing} onClick={() => setFixing((v) => !v)}>
            Fix content
          </button>
        ) : null}
        {paused && can('campaign.resume') ? (
          <button type="button" className="button button--primary" onClick={() => setDialog('resume')}>
            Resume
          </button>
        ) : null}
        {canCancel ? (
          <button type="button" className="button button--secondary" onClick={() => setDialog('cancel')}>
            Cancel campaign
          </button>
        ) : null}
        {canDeclare ? (
          <button type="button" className="button button--secondary" onClick={() => setDialog('declare')}>
            Declare incident
          </button>
        ) : null}
      </div>
      {c.last_error ? (
        <p className="alert alert--error" role="alert">
          Last handoff error: {c.last_error}
        </p>
      ) : null}

      {paused && fixing ? <FixContentPanel campaign={c} onClose={() => setFixing(false)} /> : null}

      <section className="panel" aria-labelledby="messages-heading">
        <h2 className="panel-title" id="messages-heading">
          Where the messages are
        </h2>
        {showReadout ? (
          <PauseReadout campaign={c} />
        ) : (
          <>
            <MessageStages campaign={c} />
            {isPausable(c.status) ? (
              <p className="callout">
                <StoppabilityText campaign={c} />
              </p>
            ) : null}
          </>
        )}
      </section>

      <section className="panel" aria-labelledby="counts-heading">
        <h2 className="panel-title" id="counts-heading">
          What recipients did
        </h2>
        <dl className="stat-grid">
          {COUNTERS.map((k) => (
            <div className="stat" key={k.key}>
              <dt>{k.label}</dt>
              <dd>{formatCount(c.counts[k.key])}</dd>
            </div>
          ))}
          <div className="stat">
            <dt>Complaint rate</dt>
            <dd>{formatRate(c.counts.rates.complaint_rate)}</dd>
          </div>
          <div className="stat">
            <dt>Hard bounce rate</dt>
            <dd>{formatRate(c.counts.rates.hard_bounce_rate)}</dd>
          </div>
          <div className="stat">
            <dt>Drop rate</dt>
            <dd>{formatRate(c.counts.rates.drop_rate)}</dd>
          </div>
        </dl>
        <p className="muted">Rates: complaints per delivered; hard bounces and drops per message handed to SendGrid.</p>
      </section>

      <section className="panel" aria-labelledby="events-heading">
        <h2 className="panel-title" id="events-heading">
          Events over time
        </h2>
        {events.isPending ? <Loading label="Loading events…" /> : null}
        {events.isError ? (
          <ErrorNotice error={events.error} title="Could not load events" onRetry={() => void events.refetch()} />
        ) : null}
        {events.data ? <EventsChart series={events.data} /> : null}
      </section>

      {dialog === 'pause' ? <PauseDialog campaign={c} onClose={() => setDialog(null)} /> : null}
      {dialog === 'resume' ? (
        <ResumeDialog
          campaign={c}
          incidentId={incident?.id}
          onClose={() => {
            setDialog(null);
            setFixing(false);
          }}
        />
      ) : null}
      {dialog === 'cancel' ? <CancelDialog campaign={c} onClose={() => setDialog(null)} /> : null}
      {dialog === 'declare' ? <DeclareDialog campaign={c} onClose={() => setDialog(null)} /> : null}
    </div>
  );
}
