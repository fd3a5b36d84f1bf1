/** The product mark: a firebreak "F" on a dark tile, with the product name. */
export function BrandMark({ withName = false }: { withName?: boolean }) {
  return (
    <span className="brand">
      <svg className="brand-logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="7" fill="#12303a" />
        <path d="M9 23V9h14v3.5H13v2.2h8.5v3.3H13V23z" fill="#f2b64c" />
      </svg>
      {withName ? <span className="brand-name">Firebreak</span> : null}
    </span>
  );
}
