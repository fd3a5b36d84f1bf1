import type { TimelineEntry } from '../api/types';
import { formatDateTime, formatDateTimeSeconds } from '../lib/format';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { useDirectory, useTimeline } from './api';
import { describeEntry } from './describe';
import { NoteBox } from './NoteBox';

/** What the system actors are called on the timeline. */
const SYSTEM_ACTORS: Record<string, string> = {
  webhook: 'Firebreak (detection)',
  system: 'Firebreak',
  cli: 'Command line',
};

/** Who did it, for people: the user's name, else the system actor in words, else the email. */
export function actorLabel(e: Pick<TimelineEntry, 'actor' | 'actor_name'>): string {
  return e.actor_name || SYSTEM_ACTORS[e.actor] || e.actor;
}

/**
 * The incident's audit trail, newest first, with a box to post a note on top.
 * Each entry: the time (seconds on hover), who (the name; the email under it,
 * never broken mid-address) and a sentence.
 */
export function Timeline({ incidentId, open }: { incidentId: string; open: boolean }) {
  const timeline = useTimeline(incidentId, open);
  const directory = useDirectory();
  return (
    <>
      <NoteBox incidentId={incidentId} />
      {timeline.isPending ? (
        <Loading label="Loading the timeline…" />
      ) : timeline.isError ? (
        <ErrorNotice error={timeline.error} title="Could not load the timeline" onRetry={() => void timeline.refetch()} />
      ) : timeline.data.length === 0 ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : (
        <ol className="timeline" aria-label="Timeline entries">
          {[...timeline.data].reverse().map((e, i) => {
            const who = actorLabel(e);
            const note = e.action === 'incident.note';
            return (
              <li key={`${e.at}-${i}`} className={`timeline-entry${note ? ' timeline-entry--note' : ''}`}>
                <time dateTime={e.at} className="timeline-time" title={formatDateTimeSeconds(e.at)}>
                  {formatDateTime(e.at)}
                </time>
                <span className="timeline-actor" title={who !== e.actor ? `${who} <${e.actor}>` : e.actor}>
                  <span className="timeline-actor-name">{who}</span>
                  {who !== e.actor && e.actor.includes('@') ? <span className="timeline-actor-email">{e.actor}</span> : null}
                </span>
                <span className="timeline-what">
                  {note ? <span className="timeline-note-label">Note: </span> : null}
                  {describeEntry(e, directory.nameOf)}
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </>
  );
}
