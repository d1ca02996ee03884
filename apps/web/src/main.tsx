import '@mantine/core/styles.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ErrorPage } from './components/ErrorPage.js';
import { AdminPage } from './routes/AdminPage.js';
import { AgentSessionPage } from './routes/AgentSessionPage.js';
import { CasePage } from './routes/CasePage.js';
import { ConnectorCallbackPage } from './routes/ConnectorCallbackPage.js';
import { ConnectorCasePage, ConnectorDesktopPage } from './routes/ConnectorPages.js';
import { ConsolePage } from './routes/ConsolePage.js';
import { JoinPage } from './routes/JoinPage.js';
import { LoginPage } from './routes/LoginPage.js';
import { ModulePage } from './routes/ModulePage.js';
import { OAuthInteractionPage } from './routes/OAuthInteractionPage.js';
import { OpenPage } from './routes/OpenPage.js';
import { SupportPage } from './routes/SupportPage.js';

const theme = createTheme({ primaryColor: 'blue', defaultRadius: 'md' });
const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } },
});

const router = createBrowserRouter([
  {
    errorElement: <ErrorPage />,
    children: [
      { path: '/', element: <ConsolePage /> },
      { path: '/cases/:code', element: <CasePage /> },
      { path: '/admin/:section', element: <AdminPage /> },
      { path: '/j/:token', element: <JoinPage /> },
      { path: '/support', element: <SupportPage /> },
      { path: '/session/:code', element: <AgentSessionPage /> },
      { path: '/login', element: <LoginPage /> },
      { path: '/open', element: <OpenPage /> },
      { path: '/qs/:slug', element: <ModulePage /> },
      { path: '/connector/case', element: <ConnectorCasePage /> },
      { path: '/connector/desktop', element: <ConnectorDesktopPage /> },
      { path: '/connector/callback', element: <ConnectorCallbackPage /> },
      { path: '/oauth/interaction/:uid', element: <OAuthInteractionPage /> },
    ],
  },
]);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);

// Installable console (SPEC §5); only the built app has a worker to register.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register('/sw.js')
      .catch((err: unknown) => console.warn('service worker not registered', err));
  });
}
