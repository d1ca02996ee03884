// Every page but the customer's needs Mantine's whole stylesheet; it comes with this chunk, on demand.
import '@mantine/core/styles.css';

export { AdminPage } from './AdminPage.js';
export { CasePage } from './CasePage.js';
export { ConnectorCallbackPage } from './ConnectorCallbackPage.js';
export { ConnectorCasePage, ConnectorDesktopPage } from './ConnectorPages.js';
export { ConsolePage } from './ConsolePage.js';
export { LoginPage } from './LoginPage.js';
export { OAuthInteractionPage } from './OAuthInteractionPage.js';
export { OpenPage } from './OpenPage.js';
