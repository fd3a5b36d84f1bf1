import { Link } from 'react-router';
import type { Campaign } from '../api/types';
import { formatCount, formatTime, formatTimeSeconds, plural } from '../lib/format';
import { possiblyReceived } from './messages';
import { MessageStages } from './MessageStages';

/**
 * The two planes of a pause and what they mean for recipients:
 * paused in Firebreak (nothing more is handed over), paused at SendGrid (it
 * holds what is due 10+ minutes later), where every message is now
 * (MessageStages), and how much a pause could still catch.
 */
export function PauseReadout({ campaign, incidentId }: { campaign: Campaign; incidentId?: string | null }) {
  const { esp_pause: esp } = campaign;
  return (
    <div className="readout" aria-label="Pause state">
      <ul className="readout-planes">
        <FirebreakPlane campaign={campaign} />
        <SendGridPlane campaign={campaign} />
      </ul>
      <MessageStages campaign={campaign} />
      <p className="readout-stoppability">
        <StoppabilityText campaign={campaign} />
      </p>
      {esp.state === 'failed' ? (
        <p className="readout-hint">
          Firebreak retries SendGrid in the background. If this stays, ask an admin to check the SendGrid account.
        </p>
      ) : null}
      {incidentId ? (
        <p>
          <Link className="button button--secondary" to={`/incidents/${incidentId}`}>
            Open the incident
          </Link>
        </p>
      ) : null}
    </div>
  );
}

function FirebreakPlane({ campaign }: { campaign: Campaign }) {
  const { status, paused_at } = campaign;
  if (status === 'paused') {
    return (
      <li className="plane plane--ok">
        <span className="plane-mark" aria-hidden="true">✓</span>
        <span>
          <strong>Paused in Firebreak</strong> at {formatTimeSeconds(paused_at)} — nothing more is handed to SendGrid.
        </span>
      </li>
    );
  }
  if (status === 'cancelled') {
    return (
      <li className="plane plane--ok">
        <span className="plane-mark" aria-hidden="true">✓</span>
        <span>
          <strong>Cancelled in Firebreak</strong> — nothing more is handed to SendGrid.
        </span>
      </li>
    );
  }
  return (
    <li className="plane plane--warn">
      <span className="plane-mark" aria-hidden="true">!</span>
      <span>
        <strong>Not paused in Firebreak</strong> — the campaign is {status}.
      </span>
    </li>
  );
}

function SendGridPlane({ campaign }: { campaign: Campaign }) {
  const { esp_pause: esp, counts } = campaign;
  switch (esp.state) {
    case 'paused':
      return (
        <li className="plane plane--ok">
          <span className="plane-mark" aria-hidden="true">✓</span>
          <span>
            <strong>Paused at SendGrid</strong> at {formatTimeSeconds(esp.at)} — it holds every message due more than 10
            minutes later.
          </span>
        </li>
      );
    case 'cancelled':
      return (
        <li className="plane plane--ok">
          <span className="plane-mark" aria-hidden="true">✓</span>
          <span>
            <strong>Cancelled at SendGrid</strong> at {formatTimeSeconds(esp.at)} — what it still held is discarded.
          </span>
        </li>
      );
    case 'failed':
      return (
        <li className="plane plane--bad">
          <span className="plane-mark" aria-hidden="true">✗</span>
          <span>
            <strong>SendGrid refused the pause</strong>
            {esp.at ? ` at ${formatTimeSeconds(esp.at)}` : ''}: {esp.error || 'no reason given'}.
          </span>
        </li>
      );
    case 'pending':
      return (
        <li className="plane plane--warn">
          <span className="plane-mark" aria-hidden="true">…</span>
          <span>
            <strong>Asking SendGrid to pause…</strong>
          </span>
        </li>
      );
    case 'resumed':
      return (
        <li className="plane plane--warn">
          <span className="plane-mark" aria-hidden="true">!</span>
          <span>
            <strong>Released at SendGrid</strong> at {formatTimeSeconds(esp.at)} — held messages go out at their send time.
          </span>
        </li>
      );
    default:
      return (
        <li className="plane plane--muted">
          <span className="plane-mark" aria-hidden="true">–</span>
          <span>
            <strong>Nothing paused at SendGrid</strong>
            {counts.handed_to_esp === 0 ? ' — nothing was handed over yet.' : '.'}
          </span>
        </li>
      );
  }
}

/**
 * What a pause could still do, from where the messages are
 * (Campaign.messages): "N messages can still be held until 14:32", that
 * SendGrid already holds them, or why nothing can be held. It never offers to
 * hold what is already held.
 */
export function StoppabilityText({ campaign }: { campaign: Campaign }) {
  const m = campaign.messages;
  if (m.stoppable > 0 && m.stoppable_until) {
    return (
      <>
        <strong>{plural(m.stoppable, 'message')}</strong> can still be held until{' '}
        <strong>{formatTime(m.stoppable_until)}</strong>.
      </>
    );
  }
  if (m.held_at_sendgrid > 0) {
    return campaign.status === 'cancelled' || campaign.esp_pause.state === 'cancelled' ? (
      <>
        SendGrid discarded <strong>{plural(m.held_at_sendgrid, 'message')}</strong> in time: they will never be sent.
      </>
    ) : (
      <>
        SendGrid holds <strong>{plural(m.held_at_sendgrid, 'message')}</strong>: they go out at their send time only if
        the campaign is resumed.
      </>
    );
  }
  if (campaign.counts.handed_to_esp === 0 && m.in_doubt === 0) {
    return campaign.status === 'paused' || campaign.status === 'cancelled' ? (
      <>Nothing was handed to SendGrid: nothing of this campaign went out.</>
    ) : (
      <>Nothing has been handed to SendGrid yet: Firebreak still holds the whole audience.</>
    );
  }
  return (
    <>
      Nothing handed to SendGrid can be held any more: <strong>{formatCount(possiblyReceived(m))}</strong>{' '}
      are out or due within 10 minutes.
    </>
  );
}
