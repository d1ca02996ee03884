// The staff app: the console, administration, sign-in, connector and agent pages, routed by react-router
// with TanStack Query's cache. main.tsx loads this chunk for every path that is not a customer's page.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ComponentType, lazy, Suspense, useEffect } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ErrorPage } from '../components/ErrorPage.js';

type Pages = Record<string, ComponentType>;
/** A page from a chunk loaded on demand (the console, admin, agent client, connector and sign-in pages). */
function onDemand<M extends Pages>(load: () => Promise<M>, name: keyof M & string) {
  const Page = lazy(async () => ({ default: (await load())[name] as ComponentType }));
  return (
    <Suspense fallback={null}>
      <Page />
    </Suspense>
  );
}
const staff = () => import('./staff.js');
const agent = () => import('./agent.js');

/** A customer's page reached from a staff page: the customer bundle serves it, so the browser loads it afresh. */
function CustomerPage() {
  useEffect(() => window.location.reload(), []);
  return null;
}

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } },
});

const router = createBrowserRouter([
  {
    errorElement: <ErrorPage />,
    children: [
      { path: '/', element: onDemand(staff, 'ConsolePage') },
      { path: '/cases/:code', element: onDemand(staff, 'CasePage') },
      { path: '/admin/:section', element: onDemand(staff, 'AdminPage') },
      { path: '/session/:code', element: onDemand(agent, 'AgentSessionPage') },
      { path: '/login', element: onDemand(staff, 'LoginPage') },
      { path: '/open', element: onDemand(staff, 'OpenPage') },
      { path: '/connector/case', element: onDemand(staff, 'ConnectorCasePage') },
      { path: '/connector/desktop', element: onDemand(staff, 'ConnectorDesktopPage') },
      { path: '/connector/callback', element: onDemand(staff, 'ConnectorCallbackPage') },
      { path: '/oauth/interaction/:uid', element: onDemand(staff, 'OAuthInteractionPage') },
      { path: '/j/:token', element: <CustomerPage /> },
      { path: '/qs/:slug', element: <CustomerPage /> },
      { path: '/support', element: <CustomerPage /> },
    ],
  },
]);

export function StaffApp() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
