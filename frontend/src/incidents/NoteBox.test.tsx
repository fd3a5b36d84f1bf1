import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../api/types';
import { apiError, installFakeApi, mara } from '../test/fakeApi';
import { renderWithSession } from '../test/renderWithSession';
import { maraMe } from '../test/sessions';
import { Timeline } from './Timeline';

const opened: TimelineEntry = {
  at: '2030-06-03T14:20:07Z',
  actor: 'webhook',
  actor_name: null,
  action: 'incident.open',
  data: { source: 'webhook', runbook: 'deliverability-spike' },
};

const note: TimelineEntry = {
  at: '2030-06-03T14:31:42Z',
  actor: 'mara.marketer.with.a.long.address@example.com',
  actor_name: 'Mara Marketer',
  action: 'incident.note',
  data: { text: 'Called the Gmail postmaster desk; waiting for an answer' },
};

describe('Timeline notes', () => {
  it('posts a note, empties the box, and shows it with the author’s name, the address unbroken, seconds on hover', async () => {
    const fake = installFakeApi({ 'GET /api/v1/incidents/i1/timeline': { status: 200, body: [opened] } });
    fake.on('POST /api/v1/incidents/i1/notes', () => {
      fake.on('GET /api/v1/incidents/i1/timeline', { status: 200, body: [opened, note] });
      return { status: 201, body: note };
    });
    const { user } = renderWithSession(<Timeline incidentId="i1" open />);
    await screen.findByRole('list', { name: 'Timeline entries' });
    const box = screen.getByRole('textbox', { name: 'Add a note' });
    const post = screen.getByRole('button', { name: 'Post note' });
    expect(post).toBeDisabled();

    await user.type(box, '  Called the Gmail postmaster desk; waiting for an answer ');
    await user.click(post);

    expect(fake.requestsTo('POST /api/v1/incidents/i1/notes')[0]?.body).toEqual({
      text: 'Called the Gmail postmaster desk; waiting for an answer',
    });
    const first = await screen.findByText(/Called the Gmail postmaster desk/, { selector: '.timeline-what' });
    const item = first.closest('li')!;
    expect(within(item).getByText('Mara Marketer')).toHaveClass('timeline-actor-name');
    expect(within(item).getByText('mara.marketer.with.a.long.address@example.com')).toHaveClass('timeline-actor-email');
    expect(item.querySelector('time')).toHaveAttribute('title', expect.stringMatching(/^3 Jun 2030, \d\d:31:42$/));
    expect(item).toHaveTextContent('Note: Called the Gmail postmaster desk; waiting for an answer');
    expect(box).toHaveValue('');
    // The detection's entry names Firebreak, not "webhook".
    const items = within(screen.getByRole('list', { name: 'Timeline entries' })).getAllByRole('listitem');
    expect(items[1]).toHaveTextContent('Firebreak (detection)');
  });

  it('refuses an empty or too long note before sending, and keeps the text when the API refuses', async () => {
    const fake = installFakeApi({
      'GET /api/v1/incidents/i1/timeline': { status: 200, body: [opened] },
      'POST /api/v1/incidents/i1/notes': apiError(422, 'validation_failed', 'Some fields are not valid.', { fields: { text: 'is required' } }),
    });
    const { user } = renderWithSession(<Timeline incidentId="i1" open />);
    const box = await screen.findByRole('textbox', { name: 'Add a note' });
    const post = screen.getByRole('button', { name: 'Post note' });

    await user.type(box, '   ');
    expect(post).toBeDisabled();
    await user.clear(box);
    await user.click(box);
    await user.paste('x'.repeat(10_001));
    expect(post).toBeDisabled();
    expect(screen.getByText(/10,001 characters: a note holds at most 10,000\./)).toBeInTheDocument();
    expect(fake.requestsTo('POST /api/v1/incidents/i1/notes')).toHaveLength(0);

    await user.clear(box);
    await user.type(box, 'Still sending?');
    await user.click(post);
    expect(await screen.findByRole('alert')).toHaveTextContent('Note not posted');
    expect(box).toHaveValue('Still sending?');
  });

  it('offers no note box to a caller without incident.note', async () => {
    installFakeApi({ 'GET /api/v1/incidents/i1/timeline': { status: 200, body: [opened] } });
    renderWithSession(<Timeline incidentId="i1" open />, { session: { user: mara, permissions: ['read'] } });
    await screen.findByRole('list', { name: 'Timeline entries' });
    expect(screen.queryByRole('textbox', { name: 'Add a note' })).not.toBeInTheDocument();
    expect(maraMe.permissions).toContain('incident.note');
  });
});
