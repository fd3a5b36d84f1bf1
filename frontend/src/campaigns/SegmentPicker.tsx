import type { UseQueryResult } from '@tanstack/react-query';
import { useId } from 'react';
import type { AudienceEstimate, CampaignProblem } from '../api/types';
import { formatCount, plural } from '../lib/format';
import { ProblemList } from '../communications/ProblemList';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useSegments } from '../recipients/api';
import { describedBy, FieldError } from './FieldError';

/** "2,340 recipients (12 suppressed left out)": who a send would snapshot now. */
export function audienceLine(a: Pick<AudienceEstimate, 'audience' | 'suppressed'>): string {
  const who = plural(a.audience, 'recipient');
  return a.suppressed > 0 ? `${who} (${formatCount(a.suppressed)} suppressed left out)` : `${who} (nobody suppressed)`;
}

/**
 * The campaign's segments, each with its size (GET /api/v1/segments), and the
 * live audience of those ticked (`audience`: useAudience, distinct members
 * minus addresses suppressed now), counted again at every change.
 */
export function SegmentPicker({
  value,
  onChange,
  audience,
  readOnly,
  error,
  problems,
}: {
  value: readonly string[];
  onChange: (segments: string[]) => void;
  audience: UseQueryResult<AudienceEstimate>;
  readOnly?: boolean;
  error?: string;
  problems: readonly CampaignProblem[];
}) {
  const segments = useSegments();
  const ids = { error: useId(), problems: useId(), count: useId() };
  // A segment the campaign names but no recipient is in (yet) is still shown, with 0 members.
  const known = segments.data ?? [];
  const all = [...known, ...value.filter((s) => !known.some((k) => k.name === s)).map((name) => ({ name, members: 0 }))];
  const estimate = value.length > 0 ? audience.data : undefined;

  return (
    <fieldset className="checkbox-group field" aria-describedby={describedBy(ids.count, error && ids.error, problems.length > 0 && ids.problems)}>
      <legend>Segments</legend>
      {segments.isPending ? <p className="muted">Loading segments…</p> : null}
      {segments.isError ? <ErrorNotice error={segments.error} title="Could not load segments" onRetry={() => void segments.refetch()} /> : null}
      {segments.data && all.length === 0 ? (
        <p className="muted">No segments yet: import recipients with a segments column first.</p>
      ) : null}
      <div className="checkbox-grid">
        {all.map((s) => (
          <label key={s.name} className="checkbox">
            <input
              type="checkbox"
              checked={value.includes(s.name)}
              disabled={readOnly}
              onChange={(e) => onChange(e.target.checked ? [...value, s.name] : value.filter((v) => v !== s.name))}
            />
            <span>
              {s.name} <span className="muted">· {plural(s.members, 'member')}</span>
            </span>
          </label>
        ))}
      </div>
      <p className="audience-line" id={ids.count} role="status" aria-busy={audience.isFetching ? 'true' : undefined}>
        {value.length === 0
          ? 'Choose at least one segment.'
          : estimate
            ? audienceLine(estimate)
            : audience.isError
              ? 'The audience could not be counted.'
              : 'Counting the audience…'}
      </p>
      {audience.isError ? <ErrorNotice error={audience.error} title="Could not count the audience" /> : null}
      <FieldError id={ids.error} message={error} />
      <ProblemList id={ids.problems} label="Problems with the audience" problems={problems} />
    </fieldset>
  );
}
