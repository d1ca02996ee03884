import { Navigate, useSearchParams } from 'react-router';
import { targetPath } from '../lib/installedApp.js';

/** The installed app's protocol handler lands here with `target=web+lifeline:…`. */
export function OpenPage() {
  const [params] = useSearchParams();
  return <Navigate to={targetPath(params.get('target'))} replace />;
}
