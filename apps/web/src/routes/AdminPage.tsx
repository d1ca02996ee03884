import { Alert, Stack, Tabs, Title } from '@mantine/core';
import { useNavigate, useParams } from 'react-router';
import { ConsoleShell } from '../components/ConsoleShell.js';
import { ConnectorAppsPanel } from '../features/admin/ConnectorAppsPanel.js';
import { GroupsPanel } from '../features/admin/GroupsPanel.js';
import { ModulesPanel } from '../features/admin/ModulesPanel.js';
import { OutboxPanel } from '../features/admin/OutboxPanel.js';
import { RecordingPanel } from '../features/admin/RecordingPanel.js';
import { TokensPanel } from '../features/admin/TokensPanel.js';
import { UsersPanel } from '../features/admin/UsersPanel.js';
import { WebhooksPanel } from '../features/admin/WebhooksPanel.js';
import { useMe } from '../lib/useMe.js';

/** The tabs, in order: address segment, label, panel. */
const sections = [
  ['users', 'Users', UsersPanel],
  ['groups', 'Groups', GroupsPanel],
  ['modules', 'QuickSupport modules', ModulesPanel],
  ['tokens', 'API tokens', TokensPanel],
  ['connector-apps', 'Connector apps', ConnectorAppsPanel],
  ['webhooks', 'Webhooks', WebhooksPanel],
  ['recording', 'Recording', RecordingPanel],
  ['outbox', 'Outbox', OutboxPanel],
] as const;

function Administration() {
  const { section = 'users' } = useParams();
  const navigate = useNavigate();
  const me = useMe();
  if (me.data?.user.role !== 'admin') {
    return (
      <Alert color="red" title="Administration is for admins">
        Your account is an agent account. Ask an admin of your organisation for what you need.
      </Alert>
    );
  }
  return (
    <Stack>
      <Title order={1} size="h2">
        Administration
      </Title>
      <Tabs
        value={sections.some(([key]) => key === section) ? section : 'users'}
        onChange={(v) => navigate(`/admin/${v}`)}
      >
        <Tabs.List>
          {sections.map(([key, label]) => (
            <Tabs.Tab key={key} value={key}>
              {label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {sections.map(([key, , Panel]) => (
          <Tabs.Panel key={key} value={key} pt="md">
            <Panel />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}

export function AdminPage() {
  return (
    <ConsoleShell>
      <Administration />
    </ConsoleShell>
  );
}
