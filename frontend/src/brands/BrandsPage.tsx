import { useState } from 'react';
import type { Brand } from '../api/types';
import { useCan } from '../auth/can';
import { useBrands } from '../campaigns/draftApi';
import { Badge } from '../shell/Badge';
import { EmptyState } from '../shell/EmptyState';
import { ErrorNotice, Loading } from '../shell/ErrorNotice';
import { PageHeader } from '../shell/PageHeader';
import { describeActive, describeRule, WATCH_WINDOW_RULE } from './api';
import { SecondReviewForm } from './SecondReviewForm';

/**
 * /brands — who campaigns come from, and each brand's second pair of eyes:
 * what applies now (off, on, or on because of a watch window after an
 * incident) and the rule. Admins (brand.manage) change the rule here; every
 * other role reads it.
 */
export function BrandsPage() {
  const brands = useBrands();
  const can = useCan();
  const mayEdit = can('brand.manage');
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<Brand | null>(null);
  const current = brands.data?.find((b) => b.id === editing);

  return (
    <>
      <PageHeader title="Brands">
        Who campaigns come from, and when a second marketer must approve a draft before it is sent.
      </PageHeader>
      {brands.isPending ? <Loading label="Loading brands…" /> : null}
      {brands.isError ? (
        <ErrorNotice error={brands.error} title="Could not load brands" onRetry={() => void brands.refetch()} />
      ) : null}
      {brands.data && brands.data.length === 0 ? (
        <EmptyState title="No brands yet">An admin adds brands through the API (POST /api/v1/brands).</EmptyState>
      ) : null}
      {saved ? (
        <p className="preflight-ok" role="status">
          Saved: the second pair of eyes for {saved.name} is {describeActive(saved.second_review_active).toLowerCase()}.
        </p>
      ) : null}
      {brands.data && brands.data.length > 0 ? (
        <div className="table-wrap">
          <table className="data-table brands-table">
            <caption className="visually-hidden">Brands by name</caption>
            <thead>
              <tr>
                <th scope="col">Brand</th>
                <th scope="col">Second pair of eyes</th>
                <th scope="col">Needed for</th>
                {mayEdit ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {brands.data.map((b) => (
                <tr key={b.id} data-brand-id={b.id}>
                  <th scope="row" data-label="Brand">
                    <span className="row-title">{b.name}</span>
                    <span className="row-sub">{b.from_email}</span>
                  </th>
                  <td data-label="Second pair of eyes">
                    <Badge tone={b.second_review_active === 'off' ? 'muted' : b.second_review_active === 'on' ? 'info' : 'warn'}>
                      {describeActive(b.second_review_active)}
                    </Badge>
                  </td>
                  <td data-label="Needed for">
                    {b.second_review_active === 'off'
                      ? '—'
                      : b.second_review_active === 'watch_window'
                        ? `${describeRule(WATCH_WINDOW_RULE)} (the defaults, while watched after an incident)`
                        : describeRule(b.second_review)}
                  </td>
                  {mayEdit ? (
                    <td className="actions" data-label="Actions">
                      <button
                        type="button"
                        className="button button--secondary"
                        aria-label={`Edit the second pair of eyes for ${b.name}`}
                        aria-expanded={editing === b.id}
                        onClick={() => {
                          setSaved(null);
                          setEditing(editing === b.id ? null : b.id);
                        }}
                      >
                        Edit
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {mayEdit && current ? (
        <SecondReviewForm
          key={current.id}
          brand={current}
          onDone={(b) => {
            setEditing(null);
            setSaved(b);
          }}
        />
      ) : null}
    </>
  );
}
