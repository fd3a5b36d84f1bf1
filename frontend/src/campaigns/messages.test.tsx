import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { campaign } from '../test/fixtures';
import { campaignStateLabel, possiblyReceived, stagesOf } from './messages';
import { SubjectLine } from './SubjectLine';

describe('a message’s life in words', () => {
  it('lists only the stages that hold someone, in life order, adding up to the audience', () => {
    const c = campaign();
    const stages = stagesOf(c, '14:32');
    expect(stages.map((s) => [s.label, s.count])).toEqual([
      ['Not yet handed to SendGrid', 200],
      ['At SendGrid, stoppable until 14:32', 594],
      ['Delivered', 400],
      ['Bounced, blocked or dropped', 6],
    ]);
    expect(stages.reduce((n, s) => n + s.count, 0)).toBe(c.counts.audience);
    expect(possiblyReceived(c.messages)).toBe(1000);
  });

  it('says what Firebreak keeps once paused or cancelled', () => {
    expect(stagesOf(campaign({ status: 'paused' }))[0]?.label).toBe('Kept in Firebreak');
    expect(stagesOf(campaign({ status: 'cancelled' }))[0]?.meaning).toBe('never handed over: they will not be sent');
  });

  it('calls a campaign "Sent" only once nothing of it can be stopped', () => {
    const m = campaign().messages;
    expect(campaignStateLabel('sent', m)).toBe('At SendGrid, stoppable');
    expect(campaignStateLabel('sent', { ...m, stoppable: 0, stoppable_until: null })).toBe('Sent');
    expect(campaignStateLabel('sending', m)).toBe('Sending');
  });
});

describe('SubjectLine', () => {
  it('shows merge tags as placeholders, not raw braces, and keeps a malformed one as written', () => {
    const { container } = render(<SubjectLine subject="{{first_name|Friend}}, 24 hours only: {{price}" />);
    expect(container).toHaveTextContent('Subject: first name (or “Friend”), 24 hours only: {{price}');
    expect(screen.getByTitle('Each recipient’s first name; “Friend” when it is empty (merge tag)')).toHaveTextContent('first name');
  });
});
