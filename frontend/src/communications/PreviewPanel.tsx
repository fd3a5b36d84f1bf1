import { useState } from 'react';
import type { Communication } from '../api/types';
import { useAffectedSample, usePreview } from './api';
import { EmailPreview } from './EmailPreview';

/**
 * What one affected recipient would get (GET …/preview), for the content as
 * saved: subject, the branded HTML at desktop or phone width, and the text part.
 */
export function PreviewPanel({ communication }: { communication: Communication }) {
  const [recipientId, setRecipientId] = useState('');
  const preview = usePreview(communication.id, communication.content_hash, true, recipientId);
  const sample = useAffectedSample(communication.incident_id);
  const choices = (sample.data?.recipients ?? []).filter((r) => r.state !== 'held'); // held at SendGrid: never affected
  return (
    <EmailPreview
      preview={preview}
      intro="Exactly what one affected recipient would receive, as last saved: the brand's template, their merge values and their unsubscribe link."
      choices={choices}
      recipientId={recipientId}
      onRecipient={setRecipientId}
      firstLabel="the first affected recipient"
    />
  );
}
