/** The sentence that says why a control next to it is disabled (see auth/why.ts). */
export function WhyText({ id, why }: { id: string; why: string | undefined }) {
  if (!why) return null;
  return (
    <p className="field-hint why-disabled" id={id}>
      {why}
    </p>
  );
}
