import { useId, useState, type FormEvent } from 'react';
import type { UploadProgress } from '../api/upload';
import type { ImportResult } from '../api/types';
import { formatCount, plural } from '../lib/format';
import { ErrorNotice } from '../shell/ErrorNotice';
import { useImportRecipients } from './api';
import { downloadCsv, toCsv } from './csv';

/** 1536 → "1.5 KB". */
function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Import recipients from a CSV file (POST /api/v1/recipients/import as
 * text/csv): how much has gone up while it uploads, then what the import did —
 * imported, updated, rejected — with the rejected rows (line, email, reason)
 * in a table and as a CSV download.
 */
export function ImportPanel() {
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const importer = useImportRecipients(setProgress);
  const ids = { file: useId(), hint: useId() };

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!file || importer.isPending) return;
    setProgress({ loaded: 0, total: file.size });
    importer.mutate(file);
  }

  return (
    <form className="composer import-form" aria-label="Import recipients" onSubmit={submit}>
      <div className="field">
        <label htmlFor={ids.file}>CSV file</label>
        <input
          id={ids.file}
          type="file"
          accept=".csv,text/csv"
          aria-describedby={ids.hint}
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            importer.reset();
            setProgress(null);
          }}
        />
        <span className="field-hint" id={ids.hint}>
          A header row with <code>email</code> and optionally <code>first_name</code>, <code>last_name</code> and{' '}
          <code>segments</code> (separated by <code>;</code>); any other column becomes an attribute. Known addresses are
          updated, never duplicated.
        </span>
      </div>
      <div className="action-bar">
        <button type="submit" className="button button--primary" disabled={!file || importer.isPending}>
          {importer.isPending ? 'Importing…' : 'Import'}
        </button>
      </div>
      {importer.isPending && progress ? <UploadMeter progress={progress} /> : null}
      {importer.error ? <ErrorNotice error={importer.error} title="Nothing imported" /> : null}
      {importer.data ? <ImportOutcome result={importer.data} /> : null}
    </form>
  );
}

function UploadMeter({ progress }: { progress: UploadProgress }) {
  const { loaded, total } = progress;
  const done = total > 0 && loaded >= total;
  const percent = total > 0 ? Math.floor((loaded / total) * 100) : 0;
  return (
    <div className="progress-view" role="group" aria-label="Upload">
      <progress className="progress-bar" max={total || 1} value={loaded} aria-label="Uploaded" />
      <p className="progress-line" role="status">
        {done
          ? 'Uploaded: Firebreak is importing the rows…'
          : `Uploading: ${percent} % (${formatBytes(loaded)} of ${formatBytes(total)})`}
      </p>
    </div>
  );
}

function ImportOutcome({ result }: { result: ImportResult }) {
  const listed = result.rejected.length;
  return (
    <section className="import-outcome" aria-label="Import result">
      <dl className="audience" aria-label="What the import did">
        <div className="audience-number audience-number--total">
          <dt>Imported</dt>
          <dd>{formatCount(result.imported)}</dd>
        </div>
        <div className="audience-number">
          <dt>Updated</dt>
          <dd>{formatCount(result.updated)}</dd>
        </div>
        <div className="audience-number">
          <dt>Rejected</dt>
          <dd>{formatCount(result.rejected_total)}</dd>
        </div>
      </dl>
      {listed > 0 ? (
        <>
          <div className="section-bar">
            <h3 className="subheading">Rejected rows</h3>
            <button
              type="button"
              className="button button--secondary button--small"
              onClick={() =>
                downloadCsv('rejected-rows.csv', toCsv(['line', 'email', 'reason'], result.rejected.map((r) => [r.line, r.email, r.reason])))
              }
            >
              Download rejected rows
            </button>
          </div>
          {result.rejected_total > listed ? (
            <p className="field-hint">
              The first {formatCount(listed)} of {plural(result.rejected_total, 'rejected row')} are listed (and
              downloaded).
            </p>
          ) : null}
          <div className="table-wrap">
            <table className="data-table rejected-table">
              <caption className="visually-hidden">Rejected rows</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    Line
                  </th>
                  <th scope="col">Email</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {result.rejected.map((r) => (
                  <tr key={`${r.line}-${r.email}`}>
                    <td className="num" data-label="Line">
                      {r.line}
                    </td>
                    <td data-label="Email">{r.email || <span className="muted">(none)</span>}</td>
                    <td data-label="Reason">{r.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <p className="preflight-ok">No row was rejected.</p>
      )}
    </section>
  );
}
