import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ImportResult } from '../api/types';
import { installFakeApi } from '../test/fakeApi';
import { installFakeXhr } from '../test/fakeXhr';
import { renderApp } from '../test/renderApp';
import { legalSession, marketerSession } from '../test/sessions';

const result: ImportResult = {
  imported: 118,
  updated: 4,
  rejected: [
    { line: 7, email: 'not-an-address', reason: 'not a valid email address' },
    { line: 12, email: '=cmd@example.com', reason: 'a field has a NUL byte, "quoted"' },
  ],
  rejected_total: 2,
};

function page(session = marketerSession) {
  const fake = installFakeApi({
    'GET /api/v1/me': session,
    'GET /api/v1/segments': { status: 200, body: [{ name: 'vip', members: 400 }] },
  });
  const xhr = installFakeXhr();
  return { fake, xhr, ...renderApp('/recipients') };
}

describe('Recipients', () => {
  it('is in the main navigation', async () => {
    const { user } = page();
    await user.click(await screen.findByRole('link', { name: 'Recipients' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Recipients' })).toBeInTheDocument();
  });

  it('uploads a CSV with progress, shows the result and the rejected rows, and reads the segment sizes again', async () => {
    const { user, fake, xhr } = page();
    const segments = await screen.findByRole('region', { name: 'Segments' });
    expect(await within(segments).findByRole('row', { name: 'vip 400' })).toBeInTheDocument();

    const form = screen.getByRole('form', { name: 'Import recipients' });
    const csv = 'email,first_name,segments\n' + 'a@example.com,Ann,vip\n'.repeat(100);
    const file = new File([csv], 'people.csv', { type: 'text/csv' });
    await user.upload(within(form).getByLabelText('CSV file'), file);
    await user.click(within(form).getByRole('button', { name: 'Import' }));

    await waitFor(() => expect(xhr.uploads).toHaveLength(1));
    const up = xhr.uploads[0]!;
    expect(up.url).toBe('/api/v1/recipients/import');
    expect(up.headers['Content-Type']).toBe('text/csv');
    expect(up.headers['X-CSRF-Token']).toBe('csrf-from-me');
    expect(up.body).toBe(file);
    const meter = within(form).getByRole('group', { name: 'Upload' });
    expect(within(meter).getByRole('status')).toHaveTextContent('Uploading: 0 %');

    up.progress(1100, file.size);
    await waitFor(() => expect(within(meter).getByRole('status')).toHaveTextContent(`Uploading: 49 % (1.1 KB of ${(file.size / 1024).toFixed(1)} KB)`));
    expect(within(meter).getByRole('progressbar', { name: 'Uploaded' })).toHaveAttribute('value', '1100');

    fake.on('GET /api/v1/segments', { status: 200, body: [{ name: 'vip', members: 500 }] });
    up.respond(200, result);
    const outcome = await within(form).findByRole('region', { name: 'Import result' });
    expect(within(outcome).getByText('Imported').nextSibling).toHaveTextContent('118');
    expect(within(outcome).getByText('Updated').nextSibling).toHaveTextContent('4');
    expect(within(outcome).getByText('Rejected').nextSibling).toHaveTextContent('2');
    const rows = within(within(outcome).getByRole('table', { name: 'Rejected rows' })).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toEqual([
      'LineEmailReason',
      '7not-an-addressnot a valid email address',
      '12=cmd@example.coma field has a NUL byte, "quoted"',
    ]);
    expect(within(form).queryByRole('group', { name: 'Upload' })).not.toBeInTheDocument();
    // The import changed the segments: their sizes are read again.
    expect(await within(segments).findByRole('row', { name: 'vip 500' })).toBeInTheDocument();
  });

  it('downloads the rejected rows as CSV with line, email and reason', async () => {
    const { user, xhr } = page();
    const created: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:rejected';
    });
    // jsdom has no object URLs: give URL them for this test only.
    const saved = { createObjectURL: URL.createObjectURL, revokeObjectURL: URL.revokeObjectURL };
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    onTestFinished(() => void Object.assign(URL, saved));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe('rejected-rows.csv');
      expect(this.href).toBe('blob:rejected');
    });

    const form = await screen.findByRole('form', { name: 'Import recipients' });
    await user.upload(within(form).getByLabelText('CSV file'), new File(['email\n'], 'x.csv', { type: 'text/csv' }));
    await user.click(within(form).getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(xhr.uploads).toHaveLength(1));
    xhr.uploads[0]!.respond(200, result);
    await user.click(await within(form).findByRole('button', { name: 'Download rejected rows' }));

    expect(click).toHaveBeenCalledTimes(1);
    expect(created).toHaveLength(1);
    expect(created[0]!.type).toBe('text/csv;charset=utf-8');
    expect(await created[0]!.text()).toBe(
      'line,email,reason\r\n7,not-an-address,not a valid email address\r\n12,\'=cmd@example.com,"a field has a NUL byte, ""quoted"""\r\n',
    );
  });

  it('shows why nothing was imported', async () => {
    const { user, xhr } = page();
    const form = await screen.findByRole('form', { name: 'Import recipients' });
    await user.upload(within(form).getByLabelText('CSV file'), new File(['name\nAnn\n'], 'x.csv', { type: 'text/csv' }));
    await user.click(within(form).getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(xhr.uploads).toHaveLength(1));
    xhr.uploads[0]!.respond(422, { error: { code: 'bad_csv_header', message: 'The header has no email column.', details: { problem: 'no_email_column' } } });
    expect(await within(form).findByRole('alert')).toHaveTextContent('Nothing imported: The header has no email column.');
  });

  it('offers a legal reviewer the segments but no import', async () => {
    page(legalSession);
    const segments = await screen.findByRole('region', { name: 'Segments' });
    expect(await within(segments).findByRole('row', { name: 'vip 400' })).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Import recipients' })).not.toBeInTheDocument();
  });
});
