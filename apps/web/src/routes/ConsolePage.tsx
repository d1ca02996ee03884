import { ConsoleShell } from '../components/ConsoleShell.js';
import { QueuePage } from '../features/queue/QueuePage.js';

export function ConsolePage() {
  return (
    <ConsoleShell>
      <QueuePage />
    </ConsoleShell>
  );
}
