import { useId, useState } from 'react';
import { useCan } from '../auth/can';
import { formatCount } from '../lib/format';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useIncidentActions } from './api';

/** The API's limit on a note (characters). */
export const MAX_NOTE = 10_000;

/**
 * Post a free-text update on the timeline (POST …/notes): what was tried, who
 * was called, what is awaited. Every role may; a resolved incident takes notes
 * too. The text stays in the box until the API has taken it.
 */
export function NoteBox({ incidentId }: { incidentId: string }) {
  const can = useCan();
  const { addNote } = useIncidentActions(incidentId);
  const [text, setText] = useState('');
  const id = useId();
  const hintId = useId();
  if (!can('incident.note')) return null;
  const length = [...text.trim()].length;
  const tooLong = length > MAX_NOTE;
  return (
    <form
      className="form note-box"
      aria-label="New note"
      onSubmit={(e) => {
        e.preventDefault();
        if (length === 0 || tooLong) return;
        addNote.mutate(text.trim(), { onSuccess: () => setText('') });
      }}
    >
      <div className="field">
        <label htmlFor={id}>Add a note</label>
        <textarea
          id={id}
          rows={3}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="e.g. Called the Gmail postmaster desk; waiting for an answer"
          aria-describedby={hintId}
        />
        <p id={hintId} className={`field-hint${tooLong ? ' field-hint--error' : ''}`}>
          {tooLong
            ? `${formatCount(length)} characters: a note holds at most ${formatCount(MAX_NOTE)}.`
            : 'Everyone working on the incident sees it on the timeline, with your name and the time.'}
        </p>
      </div>
      {addNote.error ? <ErrorNotice error={addNote.error} title="Note not posted" /> : null}
      <button type="submit" className="button button--secondary" disabled={length === 0 || tooLong || addNote.isPending}>
        {addNote.isPending ? 'Posting…' : 'Post note'}
      </button>
    </form>
  );
}
