import { Anchor, AppShell, Burger, Button, Center, Group, Loader, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconListDetails, IconSettings } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { AlertSettingsPopover } from '../features/queue/AlertSettingsPopover.js';
import { api, isApiError } from '../lib/api.js';
import { useMe } from '../lib/useMe.js';

/** The signed-in console's frame: navigation, who is signed in, sign-out. Sends strangers to sign in. */
export function ConsoleShell({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  const queryClient = useQueryClient();
  const [opened, { toggle }] = useDisclosure();

  if (isApiError(me.error, 401)) {
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  if (!me.data) {
    return (
      <Center h="100dvh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  const isAdmin = me.data.user.role === 'admin';
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="xs">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={2} size="h4">
              Lifeline
            </Title>
            <Text size="sm" c="dimmed" visibleFrom="sm">
              {me.data.organization.name}
            </Text>
          </Group>
          <Group gap="sm">
            <AlertSettingsPopover userId={me.data.user.id} />
            <Text size="sm" visibleFrom="sm">
              {me.data.user.name}
            </Text>
            <Button
              variant="default"
              size="xs"
              onClick={async () => {
                await api.auth.logout().catch(() => undefined);
                queryClient.clear();
                window.location.assign('/login');
              }}
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Console">
        <NavLink
          component={Link}
          to="/"
          label="Service queue"
          leftSection={<IconListDetails size={18} aria-hidden />}
          active={location.pathname === '/' || location.pathname.startsWith('/cases/')}
        />
        {isAdmin && (
          <NavLink
            component={Link}
            to="/admin/users"
            label="Administration"
            leftSection={<IconSettings size={18} aria-hidden />}
            active={location.pathname.startsWith('/admin')}
          />
        )}
        <Anchor href="/api/docs" size="sm" mt="md" px="sm">
          API docs
        </Anchor>
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
