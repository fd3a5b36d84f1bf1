import type { AssessmentNumbers, AssessmentSegment } from '../api/types';
import { formatCount } from '../lib/format';

export const NUMBER_COLUMNS: ReadonlyArray<{ key: keyof AssessmentNumbers; label: string }> = [
  { key: 'targeted', label: 'Targeted' },
  { key: 'handed_to_esp', label: 'Handed over' },
  { key: 'held', label: 'Held' },
  { key: 'delivered', label: 'Delivered' },
  { key: 'opened', label: 'Opened' },
  { key: 'clicked', label: 'Clicked' },
  { key: 'bounced', label: 'Bounced' },
  { key: 'complained', label: 'Complained' },
  { key: 'unsubscribed', label: 'Unsubscribed' },
];

/** The blast radius per segment, with the whole campaign (each recipient once) as the footer. */
export function SegmentTable({ segments, totals }: { segments: AssessmentSegment[]; totals: AssessmentNumbers }) {
  return (
    <div className="table-wrap">
      <table className="data-table segment-table">
        <caption>
          Per segment — a recipient counts in every segment it belongs to; the total counts each recipient once.
        </caption>
        <thead>
          <tr>
            <th scope="col">Segment</th>
            {NUMBER_COLUMNS.map((c) => (
              <th scope="col" className="num" key={c.key}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {segments.map((s) => (
            <tr key={s.segment}>
              <th scope="row" data-label="Segment">
                {s.segment}
              </th>
              {NUMBER_COLUMNS.map((c) => (
                <td className="num" key={c.key} data-label={c.label}>
                  {formatCount(s[c.key])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" data-label="Segment">
              All recipients
            </th>
            {NUMBER_COLUMNS.map((c) => (
              <td className="num" key={c.key} data-label={c.label}>
                {formatCount(totals[c.key])}
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
