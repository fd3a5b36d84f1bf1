import { Link, useParams } from 'react-router';
import type { Incident } from '../api/types';
import { useCampaign } from '../campaigns/api';
import { CommunicatePanel } from '../communications/CommunicatePanel';
import { formatDateTime } from '../lib/format';
import { MonitoringPanel } from '../monitoring/MonitoringPanel';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { useIncident, useRunbook } from './api';
import { AssessmentPanel } from './AssessmentPanel';
import { CurrentStepPanel } from './CurrentStepPanel';
import { incidentTitle } from './describe';
import { IncidentMeta } from './IncidentMeta';
import { OwnerPanel } from './OwnerPanel';
import { ResolvePanel } from './ResolvePanel';
import { RunbookPanel } from './RunbookPanel';
import { StepStrip } from './StepStrip';
import { stepNumber, stepTitle } from './steps';
import { StopPanel } from './StopPanel';
import { TaskBoard } from './TaskBoard';
import { Timeline } from './Timeline';

/** /incidents/:id — one incident through its six steps, live while open (and while step 6 watches). */
export function IncidentPage() {
  const { id = '' } = useParams();
  const incident = useIncident(id);

  if (incident.isPending) return <Loading label="Loading the incident…" />;
  if (incident.isError) {
    return (
      <>
        <PageHeader title="Incident" />
        <ErrorNotice error={incident.error} title="Could not load the incident" onRetry={() => void incident.refetch()} />
        <p>
          <Link to="/incidents">Back to incidents</Link>
        </p>
      </>
    );
  }
  return <IncidentView incident={incident.data} />;
}

/**
 * The page's layout: which panel goes where, under which heading. Each panel
 * reads what it needs itself (queries are shared through TanStack Query), so
 * this only places them.
 */
function IncidentView({ incident }: { incident: Incident }) {
  const runbook = useRunbook(incident.runbook);
  const campaign = useCampaign(incident.campaign_id);
  const open = incident.status === 'open';
  const current = incident.current_step;
  const monitorStep = incident.steps.find((s) => s.name === 'monitor');
  // Step 6 shows once it matters: resolving starts its watch window, an alert reopens the incident at it.
  const showMonitoring = !open || current === 'monitor' || (!!monitorStep && monitorStep.status !== 'pending');

  return (
    <div className="incident-page">
      <PageHeader title={incidentTitle(incident)} />
      <IncidentMeta incident={incident} runbook={runbook.data} campaignName={campaign.data?.name} />
      <p className="incident-links">
        <Link to={`/incidents/${incident.id}/report`}>Report</Link>
        <span className="muted"> — the postmortem, printable</span>
      </p>

      {!open ? (
        <p className="banner banner--done" role="status">
          Resolved {formatDateTime(incident.resolved_at)}. The record below stays as it was.
        </p>
      ) : null}

      <StepStrip incident={incident} />

      <div className="panel-grid">
        <section className="panel" aria-labelledby="own-heading">
          <h2 className="panel-title" id="own-heading">
            1 · Own it
          </h2>
          <OwnerPanel incident={incident} runbook={runbook.data} />
        </section>
        <section className="panel" aria-labelledby="stop-heading">
          <h2 className="panel-title" id="stop-heading">
            2 · Stop the fire
          </h2>
          <StopPanel incident={incident} />
        </section>
      </div>

      {open && current ? (
        <section className="panel" aria-labelledby="checklist-heading">
          <h2 className="panel-title" id="checklist-heading">
            Checklist for step {stepNumber(current)}: {stepTitle(current)}
          </h2>
          <CurrentStepPanel incident={incident} runbook={runbook} />
        </section>
      ) : null}

      <section className="panel" aria-labelledby="assess-heading">
        <h2 className="panel-title" id="assess-heading">
          3 · Assess
        </h2>
        <AssessmentPanel incidentId={incident.id} open={open} />
      </section>

      <section className="panel" aria-labelledby="plan-heading">
        <h2 className="panel-title" id="plan-heading">
          4 · Plan
        </h2>
        <TaskBoard incidentId={incident.id} open={open} />
      </section>

      <section className="panel" aria-labelledby="communicate-heading">
        <h2 className="panel-title" id="communicate-heading">
          5 · Communicate
        </h2>
        <CommunicatePanel incident={incident} runbook={runbook.data} />
      </section>

      {showMonitoring ? (
        <section className="panel" aria-labelledby="monitor-heading">
          <h2 className="panel-title" id="monitor-heading">
            6 · Proceed with caution
          </h2>
          <MonitoringPanel incident={incident} />
        </section>
      ) : null}

      <div className="panel-grid">
        <section className="panel" aria-labelledby="runbook-heading">
          <h2 className="panel-title" id="runbook-heading">
            Runbook
          </h2>
          <RunbookPanel incident={incident} runbook={runbook.data} />
        </section>
        <section className="panel" aria-labelledby="resolve-heading">
          <h2 className="panel-title" id="resolve-heading">
            Resolve
          </h2>
          <ResolvePanel incident={incident} />
        </section>
      </div>

      <section className="panel" aria-labelledby="timeline-heading">
        <h2 className="panel-title" id="timeline-heading">
          Timeline
        </h2>
        <Timeline incidentId={incident.id} open={open} />
      </section>
    </div>
  );
}
