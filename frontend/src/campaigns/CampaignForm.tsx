import { useId } from 'react';
import type { CampaignProblem } from '../api/types';
import { ProblemList } from '../communications/ProblemList';
import { ErrorNotice } from '../shell/ErrorNotice';
import { ContentFields } from './ContentFields';
import type { CampaignDraft } from './draft';
import type { CampaignProblemField } from './describe';
import { useAudience, useBrands } from './draftApi';
import { describedBy, FieldError } from './FieldError';
import { SegmentPicker } from './SegmentPicker';
import { SendSettings } from './SendSettings';

const NO_PROBLEMS: Record<CampaignProblemField, CampaignProblem[]> = { brand: [], segments: [], subject: [], html: [], text: [], other: [] };

/**
 * Everything a draft campaign is made of: brand, name, segments with the live
 * audience, subject and bodies, and the sending settings in words. The caller
 * owns the draft and its submit (create, or save a draft's changes); refusals
 * (`errors`, by the API's field names) and the preflight's problems (`problems`,
 * by place) are shown next to the field they are about.
 */
export function CampaignForm({
  draft,
  onChange,
  readOnly,
  errors,
  problems = NO_PROBLEMS,
}: {
  draft: CampaignDraft;
  onChange: (draft: CampaignDraft) => void;
  readOnly?: boolean;
  errors: Record<string, string | undefined>;
  problems?: Record<CampaignProblemField, readonly CampaignProblem[]>;
}) {
  const brands = useBrands();
  const group = Number(draft.asm_group_id);
  const audience = useAudience(draft.segments, Number.isInteger(group) && group > 0 ? group : undefined);
  const ids = { brand: useId(), brandError: useId(), brandProblems: useId(), name: useId(), nameError: useId() };
  const set = <K extends keyof CampaignDraft>(key: K, value: CampaignDraft[K]) => onChange({ ...draft, [key]: value });
  const brandList = brands.data ?? [];
  const brand = brandList.find((b) => b.id === draft.brand_id);

  return (
    <div className="campaign-form">
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.brand}>Brand</label>
          <select
            id={ids.brand}
            value={draft.brand_id}
            onChange={(e) => set('brand_id', e.target.value)}
            disabled={readOnly}
            aria-invalid={errors.brand_id || problems.brand.length > 0 ? true : undefined}
            aria-describedby={describedBy(errors.brand_id && ids.brandError, problems.brand.length > 0 && ids.brandProblems)}
          >
            {!brand ? <option value="">{brands.isPending ? 'Loading brands…' : 'Choose a brand'}</option> : null}
            {brandList.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
          {brand ? (
            <span className="field-hint">
              From {brand.from_name || brand.name} &lt;{brand.from_email}&gt;; replies to {brand.reply_to || 'nobody (no reply-to set)'}
            </span>
          ) : null}
          {brands.isError ? <ErrorNotice error={brands.error} title="Could not load brands" onRetry={() => void brands.refetch()} /> : null}
          <FieldError id={ids.brandError} message={errors.brand_id} />
          <ProblemList id={ids.brandProblems} label="Problems with the brand" problems={problems.brand} />
        </div>
        <div className="field">
          <label htmlFor={ids.name}>Name</label>
          <input
            id={ids.name}
            value={draft.name}
            onChange={(e) => set('name', e.target.value)}
            readOnly={readOnly}
            placeholder="Spring sale: 20% off tents"
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={describedBy(errors.name && ids.nameError)}
          />
          <FieldError id={ids.nameError} message={errors.name} />
        </div>
      </div>

      <SegmentPicker
        value={draft.segments}
        onChange={(segments) => set('segments', segments)}
        audience={audience}
        readOnly={readOnly}
        error={errors.segments}
        problems={problems.segments}
      />

      <ContentFields
        value={draft}
        onChange={(key, value) => set(key, value)}
        readOnly={readOnly}
        errors={errors}
        problems={problems}
      />

      <SendSettings
        draft={draft}
        set={set}
        readOnly={readOnly}
        errors={errors}
        audience={draft.segments.length > 0 ? audience.data?.audience : undefined}
      />
    </div>
  );
}
