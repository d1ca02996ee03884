import { Alert, Center, Container, Loader } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Navigate, useLocation, useParams } from 'react-router';
import { AgentSession } from '../features/session/AgentSession.js';
import { useSessionSocket } from '../features/session/useSessionSocket.js';
import { api, isApiError, problemText } from '../lib/api.js';
import { keys } from '../lib/query-keys.js';

/** `links.agent`: opening it joins the session, no further click. */
export function AgentSessionPage() {
  const { code = '' } = useParams();
  const location = useLocation();
  // The socket opens at once, alongside the look-ups: the customer's prompt must not wait for them.
  const session = useSessionSocket(code ? { caseCode: code } : null, 'agent');
  const me = useQuery({ queryKey: keys.me, queryFn: () => api.me() });
  const found = useQuery({ queryKey: keys.case(code), queryFn: () => api.cases.get(code) });

  if (isApiError(me.error, 401)) {
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  }
  // Signed out, the case's look-up fails too: the sign-in page is the answer, not its error.
  const error = me.error ?? found.error;
  if (error) {
    return (
      <Container size="sm" py="xl">
        <Alert color="red" title={isApiError(error, 404) ? 'No such case' : 'The case could not be opened'}>
          {isApiError(error, 404)
            ? `There is no service case ${code} in your organisation.`
            : problemText(error)}
        </Alert>
      </Container>
    );
  }
  if (!me.data || !found.data) {
    return (
      <Center h="100dvh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  return <AgentSession caseInfo={found.data} me={me.data} session={session} />;
}
