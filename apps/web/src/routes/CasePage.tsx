import { ConsoleShell } from '../components/ConsoleShell.js';
import { CaseDetailPage } from '../features/queue/CaseDetailPage.js';

export function CasePage() {
  return (
    <ConsoleShell>
      <CaseDetailPage />
    </ConsoleShell>
  );
}
