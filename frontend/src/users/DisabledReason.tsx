/**
 * Why a control is disabled, next to it: a short visible line the control
 * points at with aria-describedby (and repeats in its title), so a greyed
 * button never leaves anyone guessing.
 */
export function DisabledReason({ id, reason }: { id: string; reason: string | undefined }) {
  if (!reason) return null;
  return (
    <p className="field-hint disabled-reason" id={id}>
      {reason}
    </p>
  );
}

/** The props that disable a control and say why (nothing when `reason` is empty). */
export function disabledBecause(id: string, reason: string | undefined) {
  return reason ? { disabled: true, title: reason, 'aria-describedby': id } : {};
}
