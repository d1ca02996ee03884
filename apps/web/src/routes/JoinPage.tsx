import type { JoinInfo } from '@lifeline/contracts';
import { Alert, Button, Group, List, Loader, Modal, Stack, Text, Title } from '@mantine/core';
import { IconDeviceDesktop, IconDownload, IconWorld } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation, useParams } from 'react-router';
import { CenteredCard } from '../components/CenteredCard.js';
import { EndedPage } from '../components/EndedPage.js';
import { BrandedArea } from '../features/modules/branding.js';
import { CustomerSession } from '../features/session/CustomerSession.js';
import { api, isApiError, problemText } from '../lib/api.js';

/**
 * `/j/{token}`: the customer's invitation link. A QuickSupport module's page
 * comes here with `join: 'browser'`, straight into the waiting room.
 */
export function JoinPage() {
  const { token = '' } = useParams();
  const location = useLocation();
  const [joined, setJoined] = useState((location.state as { join?: string } | null)?.join === 'browser');
  const info = useQuery({ queryKey: ['join', token], queryFn: () => api.join.byToken(token) });

  if (info.isPending) {
    return (
      <CenteredCard>
        <Group>
          <Loader size="sm" />
          <Text>Opening your support session…</Text>
        </Group>
      </CenteredCard>
    );
  }
  if (isApiError(info.error, 410)) return <EndedPage />;
  if (info.error) {
    return (
      <CenteredCard>
        <Title order={1} size="h2">
          {isApiError(info.error, 404) || isApiError(info.error, 400)
            ? 'This link is not valid'
            : 'The session could not be opened'}
        </Title>
        <Text c="dimmed">
          {isApiError(info.error, 404) || isApiError(info.error, 400)
            ? 'Check that you opened the whole link from your invitation, or enter your session code instead.'
            : problemText(info.error)}
        </Text>
        <Button component="a" href="/support" variant="light">
          Enter a session code
        </Button>
      </CenteredCard>
    );
  }
  const data = info.data;
  return (
    <BrandedArea branding={data.branding}>
      {joined ? <CustomerSession info={data} /> : <JoinChoice info={data} onJoin={() => setJoined(true)} />}
    </BrandedArea>
  );
}

function JoinChoice({ info: data, onJoin }: { info: JoinInfo; onJoin: () => void }) {
  const [helperInfo, setHelperInfo] = useState(false);

  const what = data.type === 'ar' ? 'camera' : 'screen';
  return (
    <CenteredCard footer={`Session code ${data.code}`}>
      <Text size="sm" c="dimmed">
        {data.organization.name} invites you to a support session
      </Text>
      <Title order={1} size="h2">
        {data.name}
      </Title>
      <Text>
        {data.type === 'ar'
          ? 'Show the problem with your phone or tablet camera; your agent can draw on the picture and talk with you.'
          : 'Your agent will see your screen once you allow it, and can point and draw on it to guide you.'}
      </Text>
      <Stack gap="sm">
        <Button size="lg" leftSection={<IconWorld aria-hidden />} onClick={onJoin}>
          Join in browser
        </Button>
        <Button
          size="lg"
          variant="default"
          leftSection={<IconDownload aria-hidden />}
          onClick={() => setHelperInfo(true)}
        >
          Download QuickSupport
        </Button>
        <Text size="xs" c="dimmed">
          In the browser nothing is installed and your {what} is shared only after you allow it.
        </Text>
      </Stack>
      <Modal
        opened={helperInfo}
        onClose={() => setHelperInfo(false)}
        title="QuickSupport desktop app"
        centered
      >
        <Stack>
          <Group gap="xs">
            <IconDeviceDesktop aria-hidden />
            <Text fw={600}>Not available yet</Text>
          </Group>
          <Text size="sm">
            The QuickSupport app, which lets your agent also control your mouse and keyboard, is still being
            built. For now, join in your browser: your agent can see your screen, point, draw and chat with
            you.
          </Text>
          <List size="sm">
            <List.Item>Windows, macOS, Linux: coming soon</List.Item>
          </List>
          <Alert variant="light">Nothing was downloaded.</Alert>
          <Button
            onClick={() => {
              setHelperInfo(false);
              onJoin();
            }}
          >
            Join in browser instead
          </Button>
        </Stack>
      </Modal>
    </CenteredCard>
  );
}
