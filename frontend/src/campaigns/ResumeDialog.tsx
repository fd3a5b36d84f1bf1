import { Link } from 'react-router';
import { isApiError } from '../api/client';
import type { Campaign, CampaignFix, CampaignProblem } from '../api/types';
import { ProblemList } from '../communications/ProblemList';
import { formatCount, plural } from '../lib/format';
import { ConfirmDialog } from '../shell/Dialog';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useResumeCampaign } from './api';

/**
 * "Resume?" A campaign resumed as it was: SendGrid releases what it holds.
 * One whose content was corrected (`fix`): the dialog says, from the server's
 * numbers, what will be withdrawn and re-sent, who gets the corrected content,
 * and who gets nothing more (the incident's step 5 is for them).
 */
export function ResumeDialog({ campaign: c, incidentId, onClose }: { campaign: Campaign; incidentId?: string; onClose: () => void }) {
  const resume = useResumeCampaign();
  const fix = c.fix;
  const close = () => {
    resume.reset();
    onClose();
  };
  const error = resume.error ? <ResumeRefusal error={resume.error} /> : undefined;
  if (!fix) {
    return (
      <ConfirmDialog
        title={`Resume “${c.name}”?`}
        confirmLabel="Resume sending"
        pending={resume.isPending}
        error={error}
        onClose={close}
        onConfirm={() => resume.mutate(c.id, { onSuccess: onClose })}
      >
        <p>
          SendGrid releases the {formatCount(c.counts.held)} messages held, and Firebreak hands over the rest of the
          audience. Only resume once you are sure the campaign is right.
        </p>
      </ConfirmDialog>
    );
  }
  return (
    <ConfirmDialog
      title={`Resume “${c.name}” with the corrected content?`}
      confirmLabel="Withdraw and resume"
      pending={resume.isPending}
      error={error}
      onClose={close}
      onConfirm={() => resume.mutate(c.id, { onSuccess: onClose })}
    >
      <FixOutcome fix={fix} incidentId={incidentId} />
      {!fix.preflight.ok ? (
        <>
          <p className="field-error">The corrected content fails the check: Firebreak refuses to resume until it is fixed.</p>
          <ProblemList label="Problems with the corrected content" problems={fix.preflight.problems} />
        </>
      ) : null}
    </ConfirmDialog>
  );
}

/** What resuming a corrected campaign does, recipient by recipient (the server's `fix` numbers). */
function FixOutcome({ fix, incidentId }: { fix: CampaignFix; incidentId?: string }) {
  const incident = incidentId ? <Link to={`/incidents/${incidentId}`}>the incident</Link> : 'the incident';
  return (
    <ul className="fix-outcome" aria-label="What resuming does">
      <li data-outcome="withdraw">
        <strong>{plural(fix.withdraw, 'message')}</strong> SendGrid is holding will be withdrawn and re-sent with the
        corrected content;
      </li>
      <li data-outcome="hand_over">
        <strong>{formatCount(fix.hand_over)}</strong> not yet handed over will get the corrected content;
      </li>
      <li data-outcome="not_resent">
        <strong>{formatCount(fix.not_resent)}</strong> who possibly received the old version get nothing more — send
        them a correction from {incident} (step 5).
      </li>
    </ul>
  );
}

/** The problems a 422 preflight_failed carries (details.problems, or a whole preflight in details.preflight). */
export function refusedProblems(err: unknown): CampaignProblem[] | null {
  if (!isApiError(err) || err.code !== 'preflight_failed') return null;
  const { problems, preflight } = err.details as { problems?: unknown; preflight?: { problems?: unknown } };
  const list = Array.isArray(problems) ? problems : Array.isArray(preflight?.problems) ? preflight.problems : null;
  return list as CampaignProblem[] | null;
}

/** Why a resume was refused: the corrected content's problems, or SendGrid's refusal (nothing re-sent). */
function ResumeRefusal({ error }: { error: unknown }) {
  const problems = refusedProblems(error);
  if (problems) {
    return (
      <ErrorNotice error={error} title="Not resumed">
        <ProblemList label="Why it was refused" problems={problems} />
        <p className="notice-detail">Fix the content (Fix content), save it, and resume again.</p>
      </ErrorNotice>
    );
  }
  if (isApiError(error) && error.status === 503) {
    return (
      <ErrorNotice error={error} title="SendGrid refused">
        <p className="notice-detail">
          Nothing was re-sent: the campaign is still paused, and the refusal is on the incident's timeline. Try again
          shortly.
        </p>
      </ErrorNotice>
    );
  }
  return <ErrorNotice error={error} title="Not resumed" />;
}
