import { useId } from 'react';
import { useCan } from '../auth/can';
import { PageHeader } from '../shell/PageHeader';
import { ImportPanel } from './ImportPanel';
import { SegmentsTable } from './SegmentsTable';

/** /recipients — import recipients from CSV (marketers and admins), and the segments with their sizes. */
export function RecipientsPage() {
  const can = useCan();
  const ids = { import: useId(), segments: useId() };
  return (
    <>
      <PageHeader title="Recipients">Who campaigns can go to: import them from a CSV file, in segments.</PageHeader>
      {can('recipients.import') ? (
        <section className="panel" aria-labelledby={ids.import}>
          <h2 className="panel-title" id={ids.import}>
            Import from CSV
          </h2>
          <ImportPanel />
        </section>
      ) : null}
      <section className="panel" aria-labelledby={ids.segments}>
        <h2 className="panel-title" id={ids.segments}>
          Segments
        </h2>
        <SegmentsTable />
      </section>
    </>
  );
}
