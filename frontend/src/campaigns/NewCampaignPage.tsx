import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useCan } from '../auth/can';
import { ErrorNotice } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { CampaignForm } from './CampaignForm';
import { emptyDraft, fieldErrorsOf, toNewCampaign, type CampaignDraft } from './draft';
import { useCreateCampaign } from './draftApi';

/**
 * /campaigns/new — a draft campaign: brand, segments with the live audience,
 * content in step 5's editor, sending settings in words. Create saves it
 * (POST /api/v1/campaigns) and opens its page, where it is checked, previewed,
 * tested and sent.
 */
export function NewCampaignPage() {
  const can = useCan();
  const navigate = useNavigate();
  const create = useCreateCampaign();
  const [draft, setDraft] = useState<CampaignDraft>(() => emptyDraft());
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  if (!can('campaign.create')) {
    return (
      <>
        <PageHeader title="New campaign" />
        <p className="callout">Only marketers and admins create campaigns.</p>
        <p>
          <Link to="/campaigns">Back to campaigns</Link>
        </p>
      </>
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (create.isPending) return;
    const body = toNewCampaign(draft);
    if ('errors' in body) {
      setLocalErrors(body.errors);
      return;
    }
    setLocalErrors({});
    create.mutate(body, { onSuccess: (c) => navigate(`/campaigns/${c.id}`) });
  }

  const errors = { ...fieldErrorsOf(create.error), ...localErrors };
  return (
    <>
      <PageHeader title="New campaign">
        A draft to check, preview and test before anything is sent. Nothing goes out until you press Send on its page.
      </PageHeader>
      <form className="composer" aria-label="New campaign" onSubmit={submit} noValidate>
        <CampaignForm draft={draft} onChange={setDraft} errors={errors} />
        {create.error ? <ErrorNotice error={create.error} title="Not created" /> : null}
        {Object.keys(localErrors).length > 0 ? (
          <p className="field-error" role="alert">
            Some settings are not numbers: see the fields marked above.
          </p>
        ) : null}
        <div className="action-bar">
          <button type="submit" className="button button--primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create draft'}
          </button>
          <Link to="/campaigns" className="button button--secondary">
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}
