import { useState } from 'react';
import type { Communication, CommunicationKind, Incident, Runbook } from '../api/types';
import { useCan } from '../auth/can';
import { useCampaign } from '../campaigns/api';
import { formatCount } from '../lib/format';
import { Badge } from '../shell/Badge';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { isMoving, useCommunication, useCommunications, useCreateCommunication } from './api';
import { Composer } from './Composer';
import { KIND_LABEL, notAllowedReason, offeredKinds, STATUS_LABEL } from './describe';
import { SendProgress } from './SendProgress';

/**
 * Step 5 on the incident page: the incident's communications (kind, subject,
 * status, numbers), "New apology / correction / breach notice" for the kinds
 * its runbook allows (or, when it allows none, why not in words), and the
 * chosen communication: its composer before the send, its progress after.
 */
export function CommunicatePanel({ incident, runbook }: { incident: Incident; runbook: Runbook | undefined }) {
  const can = useCan();
  const list = useCommunications(incident.id, incident.status === 'open');
  const create = useCreateCommunication(incident.id);
  const [chosen, setChosen] = useState<string | null>(null);

  const communications = list.data ?? [];
  const selected = chosen ?? communications.at(-1)?.id ?? null;
  const kinds = runbook ? offeredKinds(runbook) : [];

  function draft(kind: CommunicationKind) {
    create.mutate({ kind }, { onSuccess: (c) => setChosen(c.id) });
  }

  return (
    <div className="communicate">
      {runbook && !runbook.apology.allowed ? (
        <p className="callout callout--stop" role="note">
          {notAllowedReason(runbook)}
        </p>
      ) : null}
      {runbook && kinds.length > 0 && can('communication.draft') ? (
        <div className="action-bar" role="group" aria-label="New communication">
          {kinds.map((kind) => (
            <button
              key={kind}
              type="button"
              className="button button--secondary"
              disabled={create.isPending}
              onClick={() => draft(kind)}
            >
              {create.isPending && create.variables?.kind === kind ? 'Drafting…' : `New ${KIND_LABEL[kind].toLowerCase()}`}
            </button>
          ))}
        </div>
      ) : null}
      {create.error ? <ErrorNotice error={create.error} title="No draft was made" /> : null}

      {list.isPending ? (
        <Loading label="Loading the communications…" />
      ) : list.isError ? (
        <ErrorNotice error={list.error} title="Could not load the communications" onRetry={() => void list.refetch()} />
      ) : communications.length === 0 ? (
        <p className="muted">No communication yet.</p>
      ) : (
        <CommunicationTable communications={communications} selected={selected} onOpen={setChosen} />
      )}

      {selected ? <CommunicationView key={selected} cid={selected} incident={incident} /> : null}
    </div>
  );
}

function CommunicationTable({
  communications,
  selected,
  onOpen,
}: {
  communications: Communication[];
  selected: string | null;
  onOpen: (id: string) => void;
}) {
  return (
    <div className="table-wrap">
      <table className="data-table" aria-label="Communications">
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Subject</th>
            <th scope="col">Status</th>
            <th scope="col">Numbers</th>
            <th scope="col">
              <span className="visually-hidden">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {communications.map((c) => (
            <tr key={c.id} aria-current={c.id === selected ? 'true' : undefined}>
              <td>{KIND_LABEL[c.kind]}</td>
              <td>{c.subject || <span className="muted">(no subject)</span>}</td>
              <td>
                <Badge tone={STATUS_LABEL[c.status].tone}>{STATUS_LABEL[c.status].label}</Badge>
              </td>
              <td>{numbers(c)}</td>
              <td>
                {c.id === selected ? (
                  <span className="muted">Shown below</span>
                ) : (
                  <button type="button" className="button button--quiet button--small" onClick={() => onOpen(c.id)}>
                    Open
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function numbers(c: Communication): string {
  if (isMoving(c.status) || c.status === 'cancelled') {
    const n = c.counts;
    return `${formatCount(n.handed_to_esp)} of ${formatCount(n.audience)} handed over · ${formatCount(n.delivered)} delivered`;
  }
  return `${formatCount(c.audience.will_receive)} will receive`;
}

/** One communication, read live: the composer while it can change, its progress once it is out. */
function CommunicationView({ cid, incident }: { cid: string; incident: Incident }) {
  const comm = useCommunication(cid);
  const campaign = useCampaign(incident.campaign_id);
  if (comm.isPending) return <Loading label="Loading the communication…" />;
  if (comm.isError) {
    return <ErrorNotice error={comm.error} title="Could not load the communication" onRetry={() => void comm.refetch()} />;
  }
  const c = comm.data;
  const editable = c.status === 'draft' || c.status === 'in_review' || c.status === 'approved';
  return (
    <section className="communication" aria-label={`${KIND_LABEL[c.kind]}: ${c.subject || 'no subject'}`}>
      <h3 className="subheading">
        {KIND_LABEL[c.kind]} <Badge tone={STATUS_LABEL[c.status].tone}>{STATUS_LABEL[c.status].label}</Badge>
      </h3>
      {editable ? (
        <Composer key={c.id} communication={c} campaignSegments={campaign.data?.segments ?? []} />
      ) : (
        <>
          <p>
            <strong>Subject:</strong> {c.subject}
          </p>
          <SendProgress communication={c} />
        </>
      )}
    </section>
  );
}
