import { Alert, Stack, Tabs, Title } from '@mantine/core';
import { useNavigate, useParams } from 'react-router';
import { ConsoleShell } from '../components/ConsoleShell.js';
import { ConnectorAppsPanel } from '../features/admin/ConnectorAppsPanel.js';
import { GroupsPanel } from '../features/admin/GroupsPanel.js';
import { ModulesPanel } from '../features/admin/ModulesPanel.js';
import { OutboxPanel } from '../features/admin/OutboxPanel.js';
import { TokensPanel } from '../features/admin/TokensPanel.js';
import { UsersPanel } from '../features/admin/UsersPanel.js';
import { useMe } from '../lib/useMe.js';

const sections = {
  users: 'Users',
  groups: 'Groups',
  modules: 'QuickSupport modules',
  tokens: 'API tokens',
  'connector-apps': 'Connector apps',
  outbox: 'Outbox',
} as const;

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
      <Tabs value={section in sections ? section : 'users'} onChange={(v) => navigate(`/admin/${v}`)}>
        <Tabs.List>
          {Object.entries(sections).map(([key, label]) => (
            <Tabs.Tab key={key} value={key}>
              {label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="users" pt="md">
          <UsersPanel />
        </Tabs.Panel>
        <Tabs.Panel value="groups" pt="md">
          <GroupsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="modules" pt="md">
          <ModulesPanel />
        </Tabs.Panel>
        <Tabs.Panel value="tokens" pt="md">
          <TokensPanel />
        </Tabs.Panel>
        <Tabs.Panel value="connector-apps" pt="md">
          <ConnectorAppsPanel />
        </Tabs.Panel>
        <Tabs.Panel value="outbox" pt="md">
          <OutboxPanel />
        </Tabs.Panel>
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
