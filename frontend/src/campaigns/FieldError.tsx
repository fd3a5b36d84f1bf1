/** A field's refusal (a 422's details.fields, or the form's own check) in words, under it; nothing without one. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id}>
      {message}
    </p>
  );
}

/** The ids that describe a field, joined for aria-describedby (undefined when none). */
export function describedBy(...ids: Array<string | false | undefined | null>): string | undefined {
  return ids.filter(Boolean).join(' ') || undefined;
}
