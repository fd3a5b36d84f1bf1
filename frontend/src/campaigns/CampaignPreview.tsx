import type { Campaign } from '../api/types';
import { EmailPreview } from '../communications/EmailPreview';
import { useCampaignPreview } from './draftApi';

/**
 * The campaign as one member of its audience gets it (GET …/preview): merge
 * tags resolved with their values or fallbacks, the brand's template, at
 * desktop or phone width; "Show it as" offers the first 25 of the audience.
 * The content is the campaign as saved (`updated_at` keys it).
 */
export function CampaignPreview({
  campaign,
  recipientId,
  onRecipient,
}: {
  campaign: Campaign;
  recipientId: string;
  onRecipient: (recipientId: string) => void;
}) {
  const preview = useCampaignPreview(campaign.id, campaign.updated_at, recipientId);
  const shownAs = preview.data?.email;
  return (
    <EmailPreview
      preview={preview}
      intro={
        <>
          Exactly what {shownAs ? <strong>{shownAs}</strong> : 'one recipient'} would receive, as last saved: their merge
          values (or the fallbacks), the brand's template and their unsubscribe link.
        </>
      }
      choices={preview.data?.recipients ?? []}
      recipientId={recipientId}
      onRecipient={onRecipient}
      firstLabel="the first recipient by address"
    />
  );
}
