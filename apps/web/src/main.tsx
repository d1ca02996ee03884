// The customer's pages load first and alone, so they get only the styles of the components they use;
// the staff pages bring Mantine's whole stylesheet with their own chunk.
import '@mantine/core/styles/baseline.css';
import '@mantine/core/styles/default-css-variables.css';
import '@mantine/core/styles/global.css';
import '@mantine/core/styles/UnstyledButton.css';
import '@mantine/core/styles/VisuallyHidden.css';
import '@mantine/core/styles/Alert.css';
import '@mantine/core/styles/Badge.css';
import '@mantine/core/styles/Button.css';
import '@mantine/core/styles/Center.css';
import '@mantine/core/styles/CloseButton.css';
import '@mantine/core/styles/Code.css';
import '@mantine/core/styles/Container.css';
import '@mantine/core/styles/Group.css';
import '@mantine/core/styles/Image.css';
import '@mantine/core/styles/Input.css';
import '@mantine/core/styles/List.css';
import '@mantine/core/styles/Loader.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Paper.css';
import '@mantine/core/styles/Progress.css';
import '@mantine/core/styles/ScrollArea.css';
import '@mantine/core/styles/SimpleGrid.css';
import '@mantine/core/styles/Stack.css';
import '@mantine/core/styles/Text.css';
import '@mantine/core/styles/ThemeIcon.css';
import '@mantine/core/styles/Title.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ComponentType, lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ErrorPage } from './components/ErrorPage.js';
import { JoinPage } from './routes/JoinPage.js';
import { ModulePage } from './routes/ModulePage.js';
import { SupportPage } from './routes/SupportPage.js';

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
const staff = () => import('./routes/staff.js');
const agent = () => import('./routes/agent.js');

const theme = createTheme({ primaryColor: 'blue', defaultRadius: 'md' });
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
      { path: '/j/:token', element: <JoinPage /> },
      { path: '/support', element: <SupportPage /> },
      { path: '/session/:code', element: onDemand(agent, 'AgentSessionPage') },
      { path: '/login', element: onDemand(staff, 'LoginPage') },
      { path: '/open', element: onDemand(staff, 'OpenPage') },
      { path: '/qs/:slug', element: <ModulePage /> },
      { path: '/connector/case', element: onDemand(staff, 'ConnectorCasePage') },
      { path: '/connector/desktop', element: onDemand(staff, 'ConnectorDesktopPage') },
      { path: '/connector/callback', element: onDemand(staff, 'ConnectorCallbackPage') },
      { path: '/oauth/interaction/:uid', element: onDemand(staff, 'OAuthInteractionPage') },
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
