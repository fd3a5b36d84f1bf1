import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { incident } from '../test/fixtures';
import { StepStrip } from './StepStrip';

function items() {
  return within(screen.getByRole('list', { name: 'Response steps' })).getAllByRole('listitem');
}

describe('StepStrip', () => {
  it('shows the six steps in order and highlights the current one', () => {
    render(<StepStrip incident={incident({ current_step: 'assess' })} />);

    const steps = items();
    expect(steps.map((li) => li.querySelector('.step-title')?.textContent)).toEqual([
      'Step 1: Own it',
      'Step 2: Stop the fire',
      'Step 3: Assess',
      'Step 4: Plan',
      'Step 5: Communicate',
      'Step 6: Proceed with caution',
    ]);
    const current = steps.filter((li) => li.getAttribute('aria-current') === 'step');
    expect(current).toHaveLength(1);
    expect(current[0]).toHaveTextContent('Assess');
    expect(current[0]).toHaveTextContent('Current step');
    expect(current[0]).toHaveClass('step--current');
  });

  it('ticks finished steps with the time they were done', () => {
    render(<StepStrip incident={incident()} />);
    const [own, stop, , plan] = items();
    expect(own).toHaveTextContent('Done 14:20');
    expect(stop).toHaveClass('step--done');
    expect(plan).toHaveTextContent('To do');
    expect(plan).not.toHaveAttribute('aria-current');
  });

  it('shows step 6 as a step like the others, watching once the incident is resolved', () => {
    const { unmount } = render(<StepStrip incident={incident()} />);
    expect(items()[5]).toHaveTextContent('Proceed with caution');
    expect(items()[5]).toHaveTextContent('To do');
    for (const li of items()) expect(li).not.toHaveTextContent('Coming');
    unmount();
    render(<StepStrip incident={incident({ status: 'resolved', current_step: 'plan' })} />);
    expect(items()[5]).toHaveTextContent('Watching');
    expect(items()[3]).toHaveTextContent('To do');
  });

  it('highlights nothing once the incident is resolved', () => {
    render(<StepStrip incident={incident({ status: 'resolved', current_step: 'plan' })} />);
    expect(items().some((li) => li.hasAttribute('aria-current'))).toBe(false);
  });

  it('follows the current step when it moves to Own it', () => {
    render(
      <StepStrip
        incident={incident({
          current_step: 'own',
          steps: incident().steps.map((s) => ({ ...s, status: s.name === 'own' ? 'active' : 'pending' })),
        })}
      />,
    );
    expect(items()[0]).toHaveAttribute('aria-current', 'step');
  });
});
