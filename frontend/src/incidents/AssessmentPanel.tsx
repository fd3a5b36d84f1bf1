import { useEffect, useId, useState, type FormEvent } from 'react';
import { DATA_CATEGORIES, type Assessment, type AssessmentPatch, type DataCategory } from '../api/types';
import { useCan } from '../auth/can';
import { useWhy } from '../auth/why';
import { formatCents, formatCount, formatDateTime, humanize } from '../lib/format';
import { Badge } from '../shell/Badge';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { WhyText } from '../shell/WhyText';
import { useAssessment, useIncidentActions } from './api';
import { SegmentChart } from './SegmentChart';
import { NUMBER_COLUMNS, SegmentTable } from './SegmentTable';

/**
 * Who received it, every row as CSV. A plain GET the browser downloads itself
 * with the session cookie (no CSRF header needed), streamed by the server.
 */
export function affectedCsvPath(incidentId: string): string {
  return `/api/v1/incidents/${encodeURIComponent(incidentId)}/affected?format=csv`;
}

/** Step 3: the computed blast radius (totals, per segment, chart) and the human fields. */
export function AssessmentPanel({ incidentId, open }: { incidentId: string; open: boolean }) {
  const assessment = useAssessment(incidentId, open);
  const { computeAssessment } = useIncidentActions(incidentId);
  const can = useCan();
  const compute = useWhy(can('incident.assess') ? null : 'Only marketers, security and admins can run the assessment.');

  if (assessment.isPending) return <Loading label="Loading the assessment…" />;
  if (assessment.isError) {
    return (
      <ErrorNotice
        error={assessment.error}
        title="Could not load the assessment"
        onRetry={() => void assessment.refetch()}
      />
    );
  }
  const a = assessment.data;

  return (
    <div className="assessment">
      <div className="section-bar">
        <p className="muted">
          {a.computed_at
            ? `Computed ${formatDateTime(a.computed_at)} from what was really handed to SendGrid and what it reported.`
            : 'Not computed yet.'}
        </p>
        {open ? (
          <button
            type="button"
            className="button button--primary"
            onClick={() => computeAssessment.mutate()}
            {...compute.props}
            disabled={compute.props.disabled || computeAssessment.isPending}
          >
            {computeAssessment.isPending ? 'Computing…' : a.computed_at ? 'Recompute assessment' : 'Run assessment'}
          </button>
        ) : null}
        <a className="button" href={affectedCsvPath(incidentId)} download>
          Download affected (CSV)
        </a>
      </div>
      {open ? <WhyText id={compute.id} why={compute.why} /> : null}
      {computeAssessment.error ? (
        <ErrorNotice error={computeAssessment.error} title="The assessment did not run" />
      ) : null}

      {a.totals ? (
        <>
          <dl className="stat-grid" aria-label="Assessment totals">
            {NUMBER_COLUMNS.map((c) => (
              <div className="stat" key={c.key}>
                <dt>{c.label}</dt>
                <dd>{formatCount(a.totals![c.key])}</dd>
              </div>
            ))}
          </dl>
          {a.by_segment.length > 0 ? (
            <>
              <SegmentTable segments={a.by_segment} totals={a.totals} />
              <SegmentChart segments={a.by_segment} />
            </>
          ) : (
            <p className="muted">The campaign has no segments to break this down by.</p>
          )}
        </>
      ) : (
        <p className="empty-inline">
          Run the assessment to count who was targeted, handed over, held back and reached, per segment.
        </p>
      )}

      <Flags assessment={a} />
      <AssessmentForm incidentId={incidentId} assessment={a} open={open} />
    </div>
  );
}

function Flags({ assessment: a }: { assessment: Assessment }) {
  // The server says why each flag is what it is (Assessment.why), so "Personal data exposed: No"
  // next to "Legal must be involved: Yes" explains itself (the runbook asks for legal).
  const why = (text: string | undefined) => (text ? <span className="flag-why">{text}</span> : null);
  return (
    <ul className="flags" aria-label="Who must be involved">
      <li aria-label="Personal data exposed">
        Personal data exposed: {a.pii_exposed ? <Badge tone="danger">Yes</Badge> : <Badge tone="muted">No</Badge>}
        {why(a.why?.pii_exposed)}
      </li>
      <li aria-label="Legal must be involved">
        Legal must be involved:{' '}
        {a.legal_required ? <Badge tone="warn">Yes</Badge> : <Badge tone="muted">No</Badge>}
        {why(a.why?.legal_required)}
      </li>
      <li aria-label="Security must be involved">
        Security must be involved:{' '}
        {a.security_required ? <Badge tone="warn">Yes</Badge> : <Badge tone="muted">No</Badge>}
        {why(a.why?.security_required)}
      </li>
      {a.cost_estimate_cents > 0 ? <li>Cost estimate: {formatCents(a.cost_estimate_cents)}</li> : null}
    </ul>
  );
}

interface FormState {
  cause: string;
  categories: DataCategory[];
  cost: string;
  notes: string;
}

function fromAssessment(a: Assessment): FormState {
  return {
    cause: a.cause,
    categories: a.data_categories_exposed,
    cost: a.cost_estimate_cents ? (a.cost_estimate_cents / 100).toFixed(2) : '',
    notes: a.notes,
  };
}

/** The human fields. Legal may edit the data categories; cause and cost need incident.assess. */
function AssessmentForm({ incidentId, assessment, open }: { incidentId: string; assessment: Assessment; open: boolean }) {
  const { patchAssessment } = useIncidentActions(incidentId);
  const can = useCan();
  const canAssess = open && can('incident.assess');
  const canCategories = open && (can('incident.assess') || can('incident.assess_legal'));
  const canNotes = canCategories;
  const [form, setForm] = useState<FormState>(() => fromAssessment(assessment));
  const [dirty, setDirty] = useState(false);
  const [costError, setCostError] = useState<string | null>(null);
  const ids = { cause: useId(), cost: useId(), costHint: useId(), notes: useId(), costErr: useId() };
  // Legal edits the data categories and notes; the cause and the cost are the responders'.
  const causeWhy = useWhy(
    canAssess ? null : 'Only marketers, security and admins can record the cause and the cost; legal records the data categories and notes.',
  );

  // Follow the server (a colleague's edit, the live refresh) unless the user is typing.
  useEffect(() => {
    if (!dirty) setForm(fromAssessment(assessment));
  }, [assessment, dirty]);

  function update(patch: Partial<FormState>) {
    setForm((f) => ({ ...f, ...patch }));
    setDirty(true);
    patchAssessment.reset();
  }

  function toggleCategory(category: DataCategory, checked: boolean) {
    update({
      categories: checked
        ? DATA_CATEGORIES.filter((c) => c === category || form.categories.includes(c))
        : form.categories.filter((c) => c !== category),
    });
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const patch: AssessmentPatch = {};
    if (canAssess) {
      patch.cause = form.cause;
      const cost = form.cost.trim() === '' ? 0 : Number(form.cost.replace(/[$,\s]/g, ''));
      if (!Number.isFinite(cost) || cost < 0) {
        setCostError('Enter the cost in dollars, e.g. 1250 or 1250.50.');
        return;
      }
      patch.cost_estimate_cents = Math.round(cost * 100);
    }
    setCostError(null);
    if (canCategories) patch.data_categories_exposed = form.categories;
    if (canNotes) patch.notes = form.notes;
    patchAssessment.mutate(patch, { onSuccess: () => setDirty(false) });
  }

  if (!canCategories && !canAssess) {
    return (
      <div className="assessment-fields">
        <h3 className="subheading">What happened</h3>
        <dl className="facts">
          <dt>Cause</dt>
          <dd>{assessment.cause || 'Not recorded yet'}</dd>
          <dt>Data categories exposed</dt>
          <dd>
            {assessment.data_categories_exposed.length
              ? assessment.data_categories_exposed.map(humanize).join(', ')
              : 'None recorded'}
          </dd>
          <dt>Notes</dt>
          <dd>{assessment.notes || '—'}</dd>
        </dl>
      </div>
    );
  }

  return (
    <form className="form assessment-fields" onSubmit={submit} aria-label="What happened">
      <h3 className="subheading">What happened</h3>
      <div className="field">
        <label htmlFor={ids.cause}>Cause</label>
        <textarea
          id={ids.cause}
          rows={2}
          value={form.cause}
          onChange={(e) => update({ cause: e.target.value })}
          {...causeWhy.props}
          placeholder="e.g. the VIP segment was used instead of the test list"
        />
        <WhyText id={causeWhy.id} why={causeWhy.why} />
      </div>
      <fieldset className="field checkbox-group" disabled={!canCategories}>
        <legend>Data categories exposed</legend>
        <div className="checkbox-grid">
          {DATA_CATEGORIES.map((c) => (
            <label key={c} className="checkbox">
              <input
                type="checkbox"
                checked={form.categories.includes(c)}
                onChange={(e) => toggleCategory(c, e.target.checked)}
              />
              {humanize(c)}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.cost}>Cost estimate (USD)</label>
          <input
            id={ids.cost}
            inputMode="decimal"
            value={form.cost}
            onChange={(e) => update({ cost: e.target.value })}
            disabled={!canAssess}
            title={causeWhy.why}
            aria-describedby={[costError ? ids.costErr : ids.costHint, causeWhy.why ? causeWhy.id : '']
              .filter(Boolean)
              .join(' ')}
            aria-invalid={costError ? true : undefined}
          />
          {costError ? (
            <p className="field-error" id={ids.costErr}>
              {costError}
            </p>
          ) : (
            <p className="field-hint" id={ids.costHint}>
              Responder time, the send itself, compensation.
            </p>
          )}
        </div>
        <div className="field field--wide">
          <label htmlFor={ids.notes}>Notes</label>
          <textarea
            id={ids.notes}
            rows={2}
            value={form.notes}
            onChange={(e) => update({ notes: e.target.value })}
            disabled={!canNotes}
          />
        </div>
      </div>
      {patchAssessment.error ? <ErrorNotice error={patchAssessment.error} title="Not saved" /> : null}
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={patchAssessment.isPending || !dirty}>
          {patchAssessment.isPending ? 'Saving…' : 'Save'}
        </button>
        <span role="status" className="muted">
          {patchAssessment.isSuccess && !dirty ? 'Saved.' : dirty ? 'Unsaved changes.' : ''}
        </span>
      </div>
    </form>
  );
}
