import type { AssessmentNumbers, AssessmentRates, AssessmentSegment } from '../api/types';
import { formatCount, formatRate } from '../lib/format';

type CountKey = Exclude<keyof AssessmentNumbers, 'rates'>;

/**
 * The blast radius's numbers, in the order of a message's life. `rate` names
 * the rate shown under a count, over the same denominator as the campaign's
 * counters: handed over for delivered and bounced, delivered for complaints
 * and unsubscribes.
 */
export const NUMBER_COLUMNS: ReadonlyArray<{ key: CountKey; label: string; rate?: keyof AssessmentRates }> = [
  { key: 'targeted', label: 'Targeted' },
  { key: 'handed_to_esp', label: 'Handed over' },
  { key: 'held', label: 'Held' },
  { key: 'delivered', label: 'Delivered', rate: 'delivered_rate' },
  { key: 'opened', label: 'Opened' },
  { key: 'clicked', label: 'Clicked' },
  { key: 'bounced', label: 'Bounced', rate: 'bounce_rate' },
  { key: 'complained', label: 'Complained', rate: 'complaint_rate' },
  { key: 'unsubscribed', label: 'Unsubscribed', rate: 'unsubscribe_rate' },
];

const RATE_OF: Record<keyof AssessmentRates, string> = {
  delivered_rate: 'of those handed over',
  bounce_rate: 'of those handed over',
  complaint_rate: 'of those delivered',
  unsubscribe_rate: 'of those delivered',
};

function Cells({ row }: { row: AssessmentNumbers }) {
  return (
    <>
      {NUMBER_COLUMNS.map((c) => (
        <td className="num" key={c.key} data-label={c.label}>
          <span className="cell-count">{formatCount(row[c.key])}</span>
          {c.rate ? (
            <span className="cell-rate" title={`${formatRate(row.rates[c.rate])} ${RATE_OF[c.rate]}`}>
              {formatRate(row.rates[c.rate])}
            </span>
          ) : null}
        </td>
      ))}
    </>
  );
}

function Rows({ segments }: { segments: AssessmentSegment[] }) {
  return (
    <>
      {segments.map((s) => (
        <tr key={s.segment}>
          <th scope="row" data-label="Segment">
            {s.segment}
          </th>
          <Cells row={s} />
        </tr>
      ))}
    </>
  );
}

/**
 * The blast radius per segment: the segments the campaign targeted first,
 * then — labelled apart — the other segments its recipients also belong to
 * (their numbers are those recipients', not a send to that segment), with the
 * whole campaign (each recipient once) as the footer. Rates sit under their
 * counts so the table fits a 1,280 px screen.
 */
export function SegmentTable({ segments, totals }: { segments: AssessmentSegment[]; totals: AssessmentNumbers }) {
  const targeted = segments.filter((s) => s.targeted_by_campaign);
  const others = segments.filter((s) => !s.targeted_by_campaign);
  const span = NUMBER_COLUMNS.length + 1;
  return (
    <div className="table-wrap">
      <table className="data-table segment-table">
        <caption>
          Per segment — a recipient counts in every segment it belongs to; the total counts each recipient once. Rates:
          delivered and bounced of those handed over, complaints and unsubscribes of those delivered.
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
        <tbody aria-label="Targeted by this campaign">
          <tr className="group-row">
            <th scope="colgroup" colSpan={span}>
              Targeted by this campaign
            </th>
          </tr>
          {targeted.length > 0 ? (
            <Rows segments={targeted} />
          ) : (
            <tr>
              <td colSpan={span} className="muted">
                None of the campaign&rsquo;s segments is in its audience.
              </td>
            </tr>
          )}
        </tbody>
        {others.length > 0 ? (
          <tbody aria-label="Also a member of">
            <tr className="group-row">
              <th scope="colgroup" colSpan={span}>
                Also a member of — not targeted: the same recipients, counted again by their other segments
              </th>
            </tr>
            <Rows segments={others} />
          </tbody>
        ) : null}
        <tfoot>
          <tr>
            <th scope="row" data-label="Segment">
              All recipients
            </th>
            <Cells row={totals} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
