import { EmptyState } from '../shell/EmptyState';
import { PageHeader } from '../shell/PageHeader';

/** /campaigns — the campaigns Firebreak sends (and can pause). The list comes later. */
export function CampaignsPage() {
  return (
    <>
      <PageHeader title="Campaigns">Campaigns sent through Firebreak, with what reached SendGrid and what can still be held.</PageHeader>
      <EmptyState title="No campaigns yet">
        Campaigns you create and send will appear here, with their delivery counts and a pause button.
      </EmptyState>
    </>
  );
}
