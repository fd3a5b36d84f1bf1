import type { UseQueryResult } from '@tanstack/react-query';
import type { Incident, Runbook } from '../api/types';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { Checklist } from './Checklist';
import { StepActions } from './StepActions';

/**
 * What to do now: the runbook's checklist for the incident's current step
 * (ticks kept in the browser) and the step's own actions (mark done, skip).
 * Shown only while the incident is open and has a current step; `runbook` is
 * the page's runbook query, so its loading and failure are shown here.
 */
export function CurrentStepPanel({
  incident,
  runbook,
}: {
  incident: Incident;
  runbook: UseQueryResult<Runbook>;
}) {
  const current = incident.current_step;
  if (!current) return null;
  const checklist = runbook.data ? (runbook.data.checklists[current] ?? []) : [];
  return (
    <>
      {runbook.isError ? (
        <ErrorNotice error={runbook.error} title="Could not load the runbook" />
      ) : runbook.isPending ? (
        <Loading label="Loading the runbook…" />
      ) : (
        <Checklist incidentId={incident.id} step={current} items={checklist} />
      )}
      <StepActions key={current} incident={incident} />
    </>
  );
}
