import type { Campaign } from '../api/types';
import { ConfirmDialog } from '../shell/Dialog';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useCancelCampaign } from './api';

/** "Cancel for good?": Firebreak drops what it has not handed over, SendGrid discards what it holds. */
export function CancelDialog({ campaign: c, onClose }: { campaign: Campaign; onClose: () => void }) {
  const cancel = useCancelCampaign();
  return (
    <ConfirmDialog
      title={`Cancel “${c.name}” for good?`}
      confirmLabel="Cancel campaign"
      cancelLabel="Keep it"
      tone="danger"
      pending={cancel.isPending}
      error={cancel.error ? <ErrorNotice error={cancel.error} title="Not cancelled" /> : undefined}
      onClose={onClose}
      onConfirm={() => cancel.mutate(c.id, { onSuccess: onClose })}
    >
      <p>
        {c.status === 'draft'
          ? 'The draft is kept, cancelled, and can never be sent. This cannot be undone.'
          : 'Firebreak drops everything it has not handed over, and SendGrid discards what it still holds. This cannot be undone.'}
      </p>
    </ConfirmDialog>
  );
}
