import { useId } from 'react';
import type { CampaignProblem } from '../api/types';
import { LazyCodeEditor } from '../communications/LazyCodeEditor';
import { ProblemList } from '../communications/ProblemList';
import type { CampaignContent } from './describe';
import { describedBy, FieldError } from './FieldError';

/**
 * A campaign's content: the subject, and the HTML and text bodies in step 5's
 * code editor (CodeMirror), each with its refusal (422) and the preflight's
 * problems about it underneath. Used by the campaign form (a draft) and by
 * "Fix content" (a paused campaign's correction).
 */
export function ContentFields({
  value,
  onChange,
  readOnly,
  errors,
  problems,
}: {
  value: CampaignContent;
  onChange: (key: keyof CampaignContent, value: string) => void;
  readOnly?: boolean;
  errors: Record<string, string | undefined>;
  problems: Record<keyof CampaignContent, readonly CampaignProblem[]>;
}) {
  const ids = {
    subject: useId(),
    subjectError: useId(),
    subjectProblems: useId(),
    hint: useId(),
    htmlError: useId(),
    htmlProblems: useId(),
    textError: useId(),
    textProblems: useId(),
  };
  return (
    <>
      <div className="field">
        <label htmlFor={ids.subject}>Subject</label>
        <input
          id={ids.subject}
          value={value.subject}
          onChange={(e) => onChange('subject', e.target.value)}
          readOnly={readOnly}
          aria-invalid={errors.subject || problems.subject.length > 0 ? true : undefined}
          aria-describedby={describedBy(errors.subject && ids.subjectError, problems.subject.length > 0 && ids.subjectProblems)}
        />
        <FieldError id={ids.subjectError} message={errors.subject} />
        <ProblemList id={ids.subjectProblems} label="Problems with the subject" problems={problems.subject} />
      </div>

      <div className="field">
        <span className="field-label">HTML body</span>
        <span className="field-hint" id={ids.hint}>
          Merge tags such as <code>{'{{first_name|Friend}}'}</code> are filled in for each recipient; a tag without a
          fallback must have a value for every one of them.
        </span>
        <LazyCodeEditor
          label="HTML body"
          language="html"
          value={value.html}
          onChange={(v) => onChange('html', v)}
          readOnly={readOnly}
          invalid={!!errors.html || problems.html.length > 0}
          describedBy={describedBy(ids.hint, errors.html && ids.htmlError, problems.html.length > 0 && ids.htmlProblems)}
        />
        <FieldError id={ids.htmlError} message={errors.html} />
        <ProblemList id={ids.htmlProblems} label="Problems with the HTML body" problems={problems.html} />
      </div>

      <div className="field">
        <span className="field-label">Text body</span>
        <LazyCodeEditor
          label="Text body"
          language="text"
          value={value.text}
          onChange={(v) => onChange('text', v)}
          readOnly={readOnly}
          invalid={!!errors.text || problems.text.length > 0}
          describedBy={describedBy(errors.text && ids.textError, problems.text.length > 0 && ids.textProblems)}
        />
        <FieldError id={ids.textError} message={errors.text} />
        <ProblemList id={ids.textProblems} label="Problems with the text body" problems={problems.text} />
      </div>
    </>
  );
}
