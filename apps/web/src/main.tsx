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
import '@mantine/core/styles/Stack.css';
import '@mantine/core/styles/Text.css';
import '@mantine/core/styles/ThemeIcon.css';
import '@mantine/core/styles/Title.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { lazy, type ReactNode, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { ErrorCard } from './components/ErrorCard.js';
import { usePathname } from './lib/customer-location.js';
import { JoinPage } from './routes/JoinPage.js';
import { ModulePage } from './routes/ModulePage.js';
import { SupportPage } from './routes/SupportPage.js';

/** Every page but the customer's: react-router, TanStack Query and the staff pages, loaded on demand. */
const StaffApp = lazy(async () => ({ default: (await import('./routes/app.js')).StaffApp }));

/** A path segment as the page reads it; a malformed escape is no address of ours. */
function segment(raw: string) {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * The customer's pages, matched on the path alone so that their bundle needs no
 * router (docs/PERFORMANCE.md, "Customer bundle"): `/j/{token}`, `/qs/{slug}`,
 * `/support`, and a not-found page for anything else under their prefixes.
 * Like react-router, case-insensitive and with an optional trailing slash.
 * `null`: the staff app's path.
 */
function customerPage(path: string): ReactNode | null {
  if (/^\/support\/?$/i.test(path)) return <SupportPage />;
  const match = /^\/(j|qs)\/([^/]+)\/?$/i.exec(path);
  const param = match?.[2] === undefined ? null : segment(match[2]);
  if (match && param) {
    return match[1]?.toLowerCase() === 'j' ? <JoinPage token={param} /> : <ModulePage slug={param} />;
  }
  if (/^\/(j|qs|support)(\/|$)/i.test(path)) return <ErrorCard missing />;
  return null;
}

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
  // The staff app's chunk and its page's chunk load side by side, not one after the other.
  void import('./routes/app.js');
  void (window.location.pathname.startsWith('/session/')
    ? import('./routes/agent.js')
    : import('./routes/staff.js'));
}

const theme = createTheme({ primaryColor: 'blue', defaultRadius: 'md' });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <Root />
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
