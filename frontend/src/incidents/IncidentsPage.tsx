import { EmptyState } from '../shell/EmptyState';
import { PageHeader } from '../shell/PageHeader';

/** /incidents — open and resolved incidents with their runbook step. The list comes later. */
export function IncidentsPage() {
  return (
    <>
      <PageHeader title="Incidents">Every incident, its owner and where it stands in its runbook.</PageHeader>
      <EmptyState title="No incidents — all quiet">
        When a campaign goes wrong, its incident opens here — from the dashboard, the API or a SendGrid alert.
      </EmptyState>
    </>
  );
}
