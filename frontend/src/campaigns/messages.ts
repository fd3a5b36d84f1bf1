/**
 * A message's life in words: the one vocabulary the dashboard, the API
 * (Campaign.messages) and docs/vocabulary.md share. Every recipient of a sent
 * campaign is in exactly one stage, so the stages add up to the audience and
 * no two numbers on a page can say different things about the same messages.
 */
import type { Campaign, CampaignStatus } from '../api/types';

export type MessageStage = keyof Omit<Campaign['messages'], 'stoppable_until'>;

export type StageTone = 'good' | 'warn' | 'bad' | 'muted' | 'info';

export interface StageWords {
  stage: MessageStage;
  label: string;
  meaning: string;
  tone: StageTone;
}

/** The stages in the order a message lives them. */
export const STAGE_ORDER: readonly MessageStage[] = [
  'not_handed',
  'held_at_sendgrid',
  'stoppable',
  'unstoppable',
  'delivered',
  'not_delivered',
  'in_doubt',
  'failed',
];

/**
 * The words for one stage. A few read differently once the campaign is
 * paused or cancelled (what Firebreak or SendGrid keeps is then kept on
 * purpose), but the number and the stage never change.
 */
export function stageWords(stage: MessageStage, status: CampaignStatus, until?: string): StageWords {
  const stopped = status === 'paused' || status === 'cancelled';
  switch (stage) {
    case 'not_handed':
      return {
        stage,
        label: stopped ? 'Kept in Firebreak' : 'Not yet handed to SendGrid',
        meaning:
          status === 'cancelled'
            ? 'never handed over: they will not be sent'
            : stopped
              ? 'never handed over: they stay here while the campaign is paused'
              : 'Firebreak still has them; a pause keeps them',
        tone: stopped ? 'good' : 'info',
      };
    case 'held_at_sendgrid':
      return {
        stage,
        label: 'Held at SendGrid',
        meaning:
          status === 'cancelled'
            ? 'SendGrid cancelled them in time: they are discarded, never sent'
            : 'SendGrid paused them in time: they do not go out while paused',
        tone: 'good',
      };
    case 'stoppable':
      return {
        stage,
        label: until ? `At SendGrid, stoppable until ${until}` : 'At SendGrid, stoppable',
        meaning: 'handed over, due more than 10 minutes from now: a pause still holds them',
        tone: 'warn',
      };
    case 'unstoppable':
      return {
        stage,
        label: 'At SendGrid, no longer stoppable',
        meaning: 'due within 10 minutes or already going out; no outcome reported yet',
        tone: 'bad',
      };
    case 'delivered':
      return { stage, label: 'Delivered', meaning: 'in the recipients’ mailboxes', tone: 'bad' };
    case 'not_delivered':
      return { stage, label: 'Bounced, blocked or dropped', meaning: 'went out but never reached the mailbox', tone: 'muted' };
    case 'in_doubt':
      return {
        stage,
        label: 'In doubt',
        meaning: 'SendGrid never answered the handoff, so it may have them: counted as possibly received',
        tone: 'warn',
      };
    case 'failed':
      return { stage, label: 'Refused by SendGrid', meaning: 'the handoff was refused: never sent', tone: 'muted' };
  }
}

/** The stages that hold someone, in life order, with their counts. */
export function stagesOf(c: Pick<Campaign, 'messages' | 'status'>, until?: string) {
  return STAGE_ORDER.filter((s) => c.messages[s] > 0).map((s) => ({ ...stageWords(s, c.status, until), count: c.messages[s] }));
}

/** Could any of these messages still reach a mailbox? (The blast radius's upper bound, counts.possibly_received.) */
export function possiblyReceived(m: Campaign['messages']): number {
  return m.stoppable + m.unstoppable + m.delivered + m.not_delivered + m.in_doubt;
}

/**
 * The campaign's state in one or two words, from its status and where its
 * messages are: "Sent" only once nothing of it can be stopped any more, so
 * the badge never says "Sent" next to "3,500 can still be held".
 */
export function campaignStateLabel(status: CampaignStatus, messages?: Campaign['messages']): string {
  switch (status) {
    case 'draft':
      return 'Draft';
    case 'sending':
      return 'Sending';
    case 'sent':
      return messages && messages.stoppable > 0 ? 'At SendGrid, stoppable' : 'Sent';
    case 'paused':
      return 'Paused';
    case 'cancelled':
      return 'Cancelled';
    case 'failed':
      return 'Failed';
  }
}
