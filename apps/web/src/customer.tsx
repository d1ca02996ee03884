import './customer-styles.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { ErrorCard } from './components/ErrorCard.js';
import { customerPage, mount } from './customer-pages.js';
import { usePathname } from './lib/customer-location.js';

/*
 * The customer's pages alone (`/j/{token}`, `/support`, `/qs/{slug}`), the entry of customer.html.
 * vite.customer.config.ts builds it with `react` and `react-dom` aliased to Preact's `preact/compat`
 * (docs/adr/0004-preact-for-customer-pages.md); the staff app stays on React in index.html (main.tsx).
 */

/** The path this document was served for: the server sends customer.html only for the customer's paths. */
const served = window.location.pathname;

function Root() {
  const path = usePathname();
  const page = customerPage(path);
  if (page) return <ErrorBoundary key={path}>{page}</ErrorBoundary>;
  // A staff page is the other build's: load it from the server. Only where this document was not
  // served for (customer.html asked for by name), to not reload forever.
  if (path !== served) {
    window.location.reload();
    return null;
  }
  return <ErrorCard missing />;
}

mount(Root, 'customer.html');
