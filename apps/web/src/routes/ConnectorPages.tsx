import { useSearchParams } from 'react-router';
import { ConnectorPage, readRecord } from '../features/connector/ConnectorPage.js';

/** `/connector/case`: for a CRM case; the session name defaults to the case subject. */
export function ConnectorCasePage() {
  const [params] = useSearchParams();
  return <ConnectorPage page="case" record={readRecord(params)} />;
}

/** `/connector/desktop`: for the agent desktop (an account contact); the session name is always typed. */
export function ConnectorDesktopPage() {
  const [params] = useSearchParams();
  return <ConnectorPage page="desktop" record={readRecord(params)} />;
}
