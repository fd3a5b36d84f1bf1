import { useId } from 'react';
import type { CampaignDraft } from './draft';
import { describedBy, FieldError } from './FieldError';
import { describeCanary, describeSendBuffer } from './describe';

/**
 * How the campaign goes out, each setting with what it means in words: the
 * send buffer (how long SendGrid holds each message before it goes, and so how
 * long a pause can still catch it), the canary wave, the unsubscribe group.
 */
export function SendSettings({
  draft,
  set,
  readOnly,
  errors,
  audience,
}: {
  draft: CampaignDraft;
  set: <K extends keyof CampaignDraft>(key: K, value: CampaignDraft[K]) => void;
  readOnly?: boolean;
  /** Field errors by the API's names. */
  errors: Record<string, string | undefined>;
  /** The live audience, for the canary's size. */
  audience?: number;
}) {
  const ids = {
    buffer: useId(),
    bufferWords: useId(),
    bufferError: useId(),
    percent: useId(),
    hold: useId(),
    canaryWords: useId(),
    percentError: useId(),
    holdError: useId(),
    group: useId(),
    groupHint: useId(),
    groupError: useId(),
  };
  const buffer = Number(draft.send_buffer_minutes);
  const percent = Number(draft.canary_percent);
  const hold = Number(draft.canary_hold_minutes);

  return (
    <fieldset className="checkbox-group field send-settings">
      <legend>Sending</legend>
      <div className="field">
        <label htmlFor={ids.buffer}>Send buffer (minutes)</label>
        <input
          id={ids.buffer}
          type="number"
          inputMode="decimal"
          min={0}
          max={4320}
          step="any"
          value={draft.send_buffer_minutes}
          onChange={(e) => set('send_buffer_minutes', e.target.value)}
          readOnly={readOnly}
          aria-invalid={errors.send_buffer_seconds ? true : undefined}
          aria-describedby={describedBy(ids.bufferWords, errors.send_buffer_seconds && ids.bufferError)}
        />
        <p className="field-hint setting-words" id={ids.bufferWords}>
          {Number.isFinite(buffer) && draft.send_buffer_minutes.trim() !== ''
            ? describeSendBuffer(Math.round(buffer * 60))
            : 'How long SendGrid holds each message before it goes: the time a pause has to catch it.'}
        </p>
        <FieldError id={ids.bufferError} message={errors.send_buffer_seconds} />
      </div>

      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.percent}>Canary (% of the audience first)</label>
          <input
            id={ids.percent}
            type="number"
            inputMode="decimal"
            min={0}
            max={100}
            step="any"
            value={draft.canary_percent}
            onChange={(e) => set('canary_percent', e.target.value)}
            readOnly={readOnly}
            aria-invalid={errors.canary_percent ? true : undefined}
            aria-describedby={describedBy(ids.canaryWords, errors.canary_percent && ids.percentError)}
          />
          <FieldError id={ids.percentError} message={errors.canary_percent} />
        </div>
        <div className="field">
          <label htmlFor={ids.hold}>Canary hold (minutes)</label>
          <input
            id={ids.hold}
            type="number"
            inputMode="decimal"
            min={0}
            step="any"
            value={draft.canary_hold_minutes}
            onChange={(e) => set('canary_hold_minutes', e.target.value)}
            readOnly={readOnly}
            disabled={!(percent > 0)}
            aria-invalid={errors.canary_hold_seconds ? true : undefined}
            aria-describedby={describedBy(ids.canaryWords, errors.canary_hold_seconds && ids.holdError)}
          />
          <FieldError id={ids.holdError} message={errors.canary_hold_seconds} />
        </div>
      </div>
      <p className="field-hint setting-words" id={ids.canaryWords}>
        {Number.isFinite(percent) ? describeCanary(percent, Number.isFinite(hold) ? Math.round(hold * 60) : 0, audience) : ''}
      </p>

      <div className="field">
        <label htmlFor={ids.group}>Unsubscribe group</label>
        <input
          id={ids.group}
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          value={draft.asm_group_id}
          onChange={(e) => set('asm_group_id', e.target.value)}
          readOnly={readOnly}
          placeholder="none"
          aria-invalid={errors.asm_group_id ? true : undefined}
          aria-describedby={describedBy(ids.groupHint, errors.asm_group_id && ids.groupError)}
        />
        <p className="field-hint" id={ids.groupHint}>
          The SendGrid unsubscribe group this campaign belongs to: its unsubscribe link leaves only that group, and
          those who left it are not mailed. Empty: no group.
        </p>
        <FieldError id={ids.groupError} message={errors.asm_group_id} />
      </div>
    </fieldset>
  );
}
