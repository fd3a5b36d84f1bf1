import { Link } from 'react-router';
import { PageHeader } from './PageHeader';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found">There is no page at this address.</PageHeader>
      <p>
        <Link to="/campaigns">Go to Campaigns</Link>
      </p>
    </>
  );
}
