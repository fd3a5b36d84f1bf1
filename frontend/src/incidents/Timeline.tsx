import { formatDateTime } from '../lib/format';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { useTimeline } from './api';
import { describeEntry } from './describe';

/** The incident's audit trail, newest first. */
export function Timeline({ incidentId, open }: { incidentId: string; open: boolean }) {
  const timeline = useTimeline(incidentId, open);
  if (timeline.isPending) return <Loading label="Loading the timeline…" />;
  if (timeline.isError) {
    return <ErrorNotice error={timeline.error} title="Could not load the timeline" onRetry={() => void timeline.refetch()} />;
  }
  if (timeline.data.length === 0) return <p className="muted">Nothing recorded yet.</p>;
  const entries = [...timeline.data].reverse();
  return (
    <ol className="timeline">
      {entries.map((e, i) => (
        <li key={`${e.at}-${i}`} className="timeline-entry">
          <time dateTime={e.at} className="timeline-time">
            {formatDateTime(e.at)}
          </time>
          <span className="timeline-actor">{e.actor}</span>
          <span className="timeline-what">{describeEntry(e)}</span>
        </li>
      ))}
    </ol>
  );
}
