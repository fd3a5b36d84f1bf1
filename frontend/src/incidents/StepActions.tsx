import { isApiError } from '../api/client';
import type { Incident, StepName } from '../api/types';
import { useCan } from '../auth/can';
import { useWhy, whoMay } from '../auth/why';
import { isPausable, useCampaign } from '../campaigns/api';
import { ErrorNotice } from '../shell/ErrorNotice';
import { WhyText } from '../shell/WhyText';
import { useIncidentActions } from './api';
import { stepTitle } from './steps';

/** Steps the dashboard finishes by hand (step 5 once its communications are out, or skipped when none is needed); own is finished by acknowledging, stop by pausing. */
const FINISHABLE: ReadonlySet<StepName> = new Set(['assess', 'plan', 'communicate']);

/**
 * "Mark step done" / "Skip step" for the incident's current step
 * (POST …/steps/{step}/complete|skip). Assess and plan can be done or
 * skipped; stop can only be skipped, and only when the campaign has nothing
 * left to pause. Each step says who may finish it (finish_permission,
 * finish_roles): for anyone else the buttons are shown disabled with that
 * reason. A refusal is shown in words.
 */
export function StepActions({ incident }: { incident: Incident }) {
  const can = useCan();
  const campaign = useCampaign(incident.campaign_id);
  const { finishStep } = useIncidentActions(incident.id);
  const step = incident.current_step;
  const info = incident.steps.find((st) => st.name === step);
  const permitted = !!info && can('incident.plan') && can(info.finish_permission);
  const who = whoMay(info?.finish_roles ?? []);
  const done = useWhy(permitted ? null : `Only ${who} can mark this step done.`);
  const skip = useWhy(permitted ? null : `Only ${who} can skip this step.`);
  if (incident.status !== 'open' || !step) return null;

  const nothingToPause = step === 'stop' && !!campaign.data && !isPausable(campaign.data.status);
  const mayComplete = FINISHABLE.has(step);
  const maySkip = mayComplete || nothingToPause;
  if (!mayComplete && !maySkip) return null;

  const busy = finishStep.isPending;
  const reason = isApiError(finishStep.error) ? finishStep.error.details.reason : undefined;
  return (
    <div className="step-actions">
      {nothingToPause ? (
        <p className="muted">The campaign has nothing left to pause; skip this step to move on to Assess.</p>
      ) : null}
      <div className="action-bar">
        {mayComplete ? (
          <button
            type="button"
            className="button button--primary"
            {...done.props}
            disabled={done.props.disabled || busy}
            onClick={() => finishStep.mutate({ step, skip: false })}
          >
            {busy && !finishStep.variables?.skip ? 'Marking done…' : 'Mark step done'}
          </button>
        ) : null}
        <button
          type="button"
          className="button button--secondary"
          {...skip.props}
          disabled={skip.props.disabled || busy}
          onClick={() => finishStep.mutate({ step, skip: true })}
        >
          {busy && finishStep.variables?.skip ? 'Skipping…' : 'Skip step'}
        </button>
      </div>
      {mayComplete ? <WhyText id={done.id} why={done.why} /> : null}
      <WhyText id={skip.id} why={skip.why} />
      {finishStep.error ? (
        <ErrorNotice
          error={finishStep.error}
          title={`${stepTitle(finishStep.variables?.step ?? step)} was not ${finishStep.variables?.skip ? 'skipped' : 'marked done'}`}
        >
          {typeof reason === 'string' && reason ? <p className="notice-detail">Why: {reason}.</p> : null}
        </ErrorNotice>
      ) : null}
    </div>
  );
}
