import './customer-styles.js';
import { lazy, Suspense } from 'react';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { customerPage, mount } from './customer-pages.js';
import { openEarlySessionSocket } from './features/session/early-session.js';
import { usePathname } from './lib/customer-location.js';

/** Every page but the customer's: react-router, TanStack Query and the staff pages, loaded on demand. */
const StaffApp = lazy(async () => ({ default: (await import('./routes/app.js')).StaffApp }));

/**
 * The server answers the customer's paths with customer.html (customer.tsx, on Preact); this entry
 * still renders their pages for when it is on one anyway: the service worker's offline shell is
 * index.html, and index.html asked for by name at such a path.
 */
function Root() {
  const path = usePathname();
  const page = customerPage(path);
  if (page) return <ErrorBoundary key={path}>{page}</ErrorBoundary>;
  return (
    <Suspense fallback={null}>
      <StaffApp />
    </Suspense>
  );
}

if (!customerPage(window.location.pathname)) {
  openEarlySessionSocket(window.location.pathname);
  // The staff app's chunk and its page's chunk load side by side, not one after the other.
  void import('./routes/app.js');
  void (window.location.pathname.startsWith('/session/')
    ? import('./routes/agent.js')
    : import('./routes/staff.js'));
}

mount(Root, 'index.html');
