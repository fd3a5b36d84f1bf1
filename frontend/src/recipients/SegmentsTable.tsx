import { formatCount } from '../lib/format';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { useSegments } from './api';

/** Every segment with its member count (GET /api/v1/segments), read again after each import. */
export function SegmentsTable() {
  const segments = useSegments();
  if (segments.isPending) return <Loading label="Loading segments…" />;
  if (segments.isError) {
    return <ErrorNotice error={segments.error} title="Could not load segments" onRetry={() => void segments.refetch()} />;
  }
  if (segments.data.length === 0) {
    return <p className="muted">No segments yet: a recipient's segments come from the segments column of an import.</p>;
  }
  return (
    <div className="table-wrap">
      <table className="data-table segments-table">
        <caption className="visually-hidden">Segments with their members</caption>
        <thead>
          <tr>
            <th scope="col">Segment</th>
            <th scope="col" className="num">
              Members
            </th>
          </tr>
        </thead>
        <tbody>
          {segments.data.map((s) => (
            <tr key={s.name}>
              <th scope="row" data-label="Segment">
                {s.name}
              </th>
              <td className="num" data-label="Members">
                {formatCount(s.members)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
