import { describe, expect, it } from 'vitest';
import { task } from '../test/fixtures';
import { clockReading, legalClocks } from './legalClock';

const detected = '2030-06-03T12:00:00Z';
const at = (hours: number) => new Date(Date.parse(detected) + hours * 3_600_000).toISOString();
const regulator = task({
  id: 't1',
  kind: 'legal',
  title: 'Notify the supervisory authority within 72 hours of awareness (GDPR Art. 33)',
  due_at: at(72),
});
const states = task({ id: 't3', kind: 'legal', title: 'Send the US state breach notices with 30-day deadlines', due_at: at(720) });
const contain = task({ id: 't4', kind: 'internal', title: 'Contain', due_at: at(4) });

describe('legalClocks', () => {
  it("names the data-breach runbook's legal deadlines by whom they are towards, soonest first; other tasks are no clock", () => {
    const clocks = legalClocks({ detected_at: detected, runbook: 'data-breach' }, [states, contain, regulator]);
    expect(clocks.map((c) => [c.label, c.dueAt])).toEqual([
      ['72 h to the regulator', at(72)],
      ['30 d for the US state notices', at(720)],
    ]);
  });

  it("puts the regulator first when the Art. 33 and Art. 34 tasks are due at the same time", () => {
    const individuals = task({
      id: 't2',
      kind: 'legal',
      title: 'Notify the affected individuals without undue delay where the risk to them is high (GDPR Art. 34)',
      due_at: at(72),
    });
    const clocks = legalClocks({ detected_at: detected, runbook: 'data-breach' }, [individuals, regulator]);
    expect(clocks.map((c) => c.label)).toEqual(['72 h to the regulator', '72 h to tell the affected people']);
  });

  it("counts GDPR's 72 h from detected_at while the tasks are unknown, or when a data-breach incident lacks that task", () => {
    expect(legalClocks({ detected_at: detected, runbook: 'data-breach' }, undefined).map((c) => [c.label, c.dueAt])).toEqual([
      ['72 h to the regulator', at(72)],
    ]);
    expect(legalClocks({ detected_at: detected, runbook: 'data-breach' }, [states])[0]?.label).toBe('72 h to the regulator');
  });

  it('drops a deadline once its task is done, and gives a non-breach incident without legal tasks no clock', () => {
    const done = { ...regulator, status: 'done' as const };
    expect(legalClocks({ detected_at: detected, runbook: 'data-breach' }, [done])).toEqual([]);
    expect(legalClocks({ detected_at: detected, runbook: 'wrong-content' }, [contain])).toEqual([]);
  });

  it('runs no clock for a legal task a reclassification closed as no longer needed', () => {
    const cancelled = { ...regulator, status: 'cancelled' as const };
    expect(legalClocks({ detected_at: detected, runbook: 'wrong-segment' }, [cancelled])).toEqual([]);
  });
});

describe('clockReading', () => {
  const now = new Date(at(11));
  it('reads hours left, and is urgent under 12 h or once overdue', () => {
    expect(clockReading(at(72), now)).toEqual({ text: '61 h left', urgent: false, overdue: false });
    expect(clockReading(at(23), now)).toEqual({ text: '12 h left', urgent: false, overdue: false });
    expect(clockReading(at(22), now)).toEqual({ text: '11 h left', urgent: true, overdue: false });
    expect(clockReading(at(9), now)).toEqual({ text: 'overdue by 2 h', urgent: true, overdue: true });
  });
});
