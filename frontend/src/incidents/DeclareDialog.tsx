import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import type { Campaign } from '../api/types';
import { humanize } from '../lib/format';
import { Dialog } from '../shell/Dialog';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useDeclareIncident, useRunbooks } from './api';

/** The API's limit on a summary (characters). */
const MAX_SUMMARY = 2000;

/**
 * Declare incident → a runbook and a title, then the new incident's page. The
 * campaign is not paused by declaring (Pause does that); a campaign that
 * already has an open incident joins it, and the dialog goes there.
 */
export function DeclareDialog({ campaign, onClose }: { campaign: Pick<Campaign, 'id' | 'name'>; onClose: () => void }) {
  const runbooks = useRunbooks();
  const declare = useDeclareIncident();
  const navigate = useNavigate();
  const [runbook, setRunbook] = useState('triage');
  const [summary, setSummary] = useState('');
  const runbookId = useId();
  const runbookHint = useId();
  const summaryId = useId();
  const summaryHint = useId();
  const chosen = runbooks.data?.find((r) => r.id === runbook);
  const text = summary.trim();
  const close = () => {
    declare.reset();
    onClose();
  };
  return (
    <Dialog title={`Declare an incident on ${campaign.name}`} onClose={close} closeDisabled={declare.isPending}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!text || !runbook) return;
          declare.mutate(
            { campaign_id: campaign.id, runbook, summary: text },
            { onSuccess: (inc) => void navigate(`/incidents/${inc.id}`) },
          );
        }}
      >
        <div className="dialog-body">
          <p>
            Opens an incident for this campaign with the runbook's checklist and tasks, and starts the clock for someone
            to own it. It does not pause the campaign: use Pause for that.
          </p>
        </div>
        <div className="field">
          <label htmlFor={runbookId}>Runbook</label>
          <select
            id={runbookId}
            value={runbook}
            onChange={(e) => setRunbook(e.target.value)}
            aria-describedby={runbookHint}
            disabled={!runbooks.data}
          >
            {(runbooks.data ?? [{ id: 'triage', title: 'Campaign paused, cause not yet known' }]).map((r) => (
              <option key={r.id} value={r.id}>
                {r.title || humanize(r.id)}
              </option>
            ))}
          </select>
          <p className="field-hint" id={runbookHint}>
            {chosen
              ? `${chosen.description} Severity ${chosen.severity}.`
              : 'Triage when the cause is not known yet; you can reclassify later.'}
          </p>
        </div>
        {runbooks.isError ? <ErrorNotice error={runbooks.error} title="Could not load the runbooks" /> : null}
        <div className="field">
          <label htmlFor={summaryId}>What happened</label>
          <textarea
            id={summaryId}
            rows={3}
            value={summary}
            onChange={(e) => setSummary(e.target.value)}
            aria-describedby={summaryHint}
            maxLength={MAX_SUMMARY}
            required
            data-autofocus
            placeholder="e.g. Spring sale went to the VIP list with last year's prices"
          />
          <p className="field-hint" id={summaryHint}>
            The incident's title, for everyone who opens it. Required.
          </p>
        </div>
        {declare.error ? <ErrorNotice error={declare.error} title="No incident declared" /> : null}
        <div className="dialog-actions">
          <button type="button" className="button button--secondary" onClick={close} disabled={declare.isPending}>
            Back
          </button>
          <button type="submit" className="button button--primary" disabled={declare.isPending || !text || !runbook}>
            {declare.isPending ? 'Declaring…' : 'Declare incident'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
