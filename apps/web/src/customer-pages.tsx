import { createTheme, MantineProvider } from '@mantine/core';
import { type ComponentType, type ReactNode, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ErrorCard } from './components/ErrorCard.js';
import { JoinPage } from './routes/JoinPage.js';
import { ModulePage } from './routes/ModulePage.js';
import { SupportPage } from './routes/SupportPage.js';

/** One theme for both entries (main.tsx on React, customer.tsx on Preact), so the pages look the same. */
export const theme = createTheme({ primaryColor: 'blue', defaultRadius: 'md' });

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
export function customerPage(path: string): ReactNode | null {
  if (/^\/support\/?$/i.test(path)) return <SupportPage />;
  const match = /^\/(j|qs)\/([^/]+)\/?$/i.exec(path);
  const param = match?.[2] === undefined ? null : segment(match[2]);
  if (match && param) {
    return match[1]?.toLowerCase() === 'j' ? <JoinPage token={param} /> : <ModulePage slug={param} />;
  }
  if (/^\/(j|qs|support)(\/|$)/i.test(path)) return <ErrorCard missing />;
  return null;
}

/**
 * Renders an entry's root (main.tsx for index.html, customer.tsx for customer.html) and registers the
 * service worker, which serves both builds' assets and keeps the console's shell for offline use
 * (SPEC §5: an installable console); only a built app has a worker to register.
 */
export function mount(Root: ComponentType, document: 'index.html' | 'customer.html') {
  const root = window.document.getElementById('root');
  if (!root) throw new Error(`${document} has no #root`);
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme}>
        <Root />
      </MantineProvider>
    </StrictMode>,
  );
  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    window.addEventListener('load', () => {
      navigator.serviceWorker
        .register('/sw.js')
        .catch((err: unknown) => console.warn('service worker not registered', err));
    });
  }
}
