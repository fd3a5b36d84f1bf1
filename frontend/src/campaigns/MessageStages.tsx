import type { Campaign } from '../api/types';
import { formatCount, formatTime } from '../lib/format';
import { stagesOf } from './messages';

/**
 * Where the campaign's messages are now (Campaign.messages): each stage that
 * holds someone, once, with what it means. The stages add up to the audience,
 * which heads the list.
 */
export function MessageStages({ campaign: c }: { campaign: Campaign }) {
  const until = c.messages.stoppable_until ? formatTime(c.messages.stoppable_until) : undefined;
  const stages = stagesOf(c, until);
  if (stages.length === 0) return <p className="muted">Nothing has been sent yet.</p>;
  return (
    <div className="stages">
      <p className="stages-total">
        <strong>{formatCount(c.counts.audience)}</strong> in the audience, each in one of these stages now:
      </p>
      <dl className="stage-list" aria-label="Where the messages are">
        {stages.map((s) => (
          <div className={`stage stage--${s.tone}`} key={s.stage} data-stage={s.stage}>
            <dt>{s.label}</dt>
            <dd>
              <strong>{formatCount(s.count)}</strong>
              <span>{s.meaning}</span>
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
