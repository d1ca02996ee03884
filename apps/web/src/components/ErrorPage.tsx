import { isRouteErrorResponse, useRouteError } from 'react-router';
import { ErrorCard } from './ErrorCard.js';

/** The staff app's error page: a page that broke, or a path that is not one. */
export function ErrorPage() {
  const error = useRouteError();
  const missing = isRouteErrorResponse(error) && error.status === 404;
  if (!missing) console.error(error);
  return <ErrorCard missing={missing} />;
}
