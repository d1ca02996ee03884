import type { JoinInfo } from '@lifeline/contracts';
import { Button, Code, CopyButton, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { IconDeviceDesktop, IconDownload, IconWorld } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { CenteredCard } from '../components/CenteredCard.js';
import { CodeFallbackCard, LoadingCard } from '../components/CustomerNotices.js';
import { EndedPage } from '../components/EndedPage.js';
import { BrandedArea } from '../features/modules/branding.js';
import { CustomerSession } from '../features/session/CustomerSession.js';
import { canShareScreen, helperSystem, WindowsDownload } from '../features/session/quicksupport.js';
import { customerApi, isApiError, problemText } from '../lib/customer-api.js';
import { historyState } from '../lib/customer-location.js';
import { keys } from '../lib/query-keys.js';

/** Served by the Lifeline server: the desktop helper as one file (apps/helper, `npm run build`). */
const HELPER_DOWNLOAD = '/downloads/lifeline-quicksupport.mjs';

/**
 * `/j/{token}`: the customer's invitation link. A QuickSupport module's page
 * comes here with `join: 'browser'`, straight into the waiting room.
 */
export function JoinPage({ token }: { token: string }) {
  const [joined, setJoined] = useState(() => historyState<{ join?: string }>()?.join === 'browser');
  const info = useQuery({ queryKey: keys.join(token), queryFn: () => customerApi.join.byToken(token) });

  if (info.isPending) return <LoadingCard text="Opening your support session…" />;
  if (isApiError(info.error, 410)) return <EndedPage />;
  if (info.error) {
    const invalid = isApiError(info.error, 404) || isApiError(info.error, 400);
    return (
      <CodeFallbackCard
        title={invalid ? 'This link is not valid' : 'The session could not be opened'}
        text={
          invalid
            ? 'Check that you opened the whole link from your invitation, or enter your session code instead.'
            : problemText(info.error)
        }
      />
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
  const system = helperSystem();
  /** Phones and tablets cannot share their screen: they show their camera, and no desktop helper can run on them. */
  const phone = !canShareScreen();

  const what = data.type === 'ar' || phone ? 'camera' : 'screen';
  const startCommand = `node ~/Downloads/lifeline-quicksupport.mjs ${window.location.origin}/j/${data.token}`;
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
          : phone
            ? 'This device cannot share its screen: show the problem with your camera instead. Your agent sees the picture once you allow it, and can point and draw on it to guide you.'
            : 'Your agent will see your screen once you allow it, and can point and draw on it to guide you.'}
      </Text>
      <Stack gap="sm">
        <Button size="lg" leftSection={<IconWorld aria-hidden />} onClick={onJoin}>
          Join in browser
        </Button>
        {!phone && (
          <Button
            size="lg"
            variant="default"
            leftSection={<IconDownload aria-hidden />}
            onClick={() => setHelperInfo(true)}
          >
            Download QuickSupport
          </Button>
        )}
        <Text size="xs" c="dimmed">
          In the browser nothing is installed and your {what} is shared only after you allow it.
        </Text>
      </Stack>
      <Modal
        opened={helperInfo}
        onClose={() => setHelperInfo(false)}
        title="QuickSupport desktop app"
        centered
        size="lg"
      >
        <Stack>
          <Text size="sm">
            QuickSupport lets your agent see your screen and, only when you allow it, use your mouse and
            keyboard. It asks you first in your browser (or in its window) and you can take back control or
            end the session at any moment.
          </Text>
          {system === 'windows' && <WindowsDownload token={data.token} />}
          {system === 'linux' && (
            <>
              <Group gap="xs">
                <IconDeviceDesktop aria-hidden />
                <Text fw={600}>Linux (X11 desktop)</Text>
              </Group>
              <Text size="sm">
                Needs Node.js 20 or newer and ffmpeg (<Code>sudo apt install nodejs ffmpeg</Code>). Download
                it, then run in a terminal:
              </Text>
              <Button
                component="a"
                href={HELPER_DOWNLOAD}
                download="lifeline-quicksupport.mjs"
                leftSection={<IconDownload aria-hidden />}
                w="fit-content"
              >
                Download for Linux
              </Button>
              <Code
                block
                aria-label="Start command"
                style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
              >
                {startCommand}
              </Code>
              <CopyButton value={startCommand}>
                {({ copied, copy }) => (
                  <Button variant="default" size="xs" w="fit-content" onClick={copy}>
                    {copied ? 'Command copied' : 'Copy command'}
                  </Button>
                )}
              </CopyButton>
              <Text size="sm" c="dimmed">
                Linux with Wayland only (no X11) is not supported yet: join in your browser there.
              </Text>
            </>
          )}
          {system === 'other' && (
            <Text size="sm">
              QuickSupport runs on Windows and on Linux with an X11 desktop. On this device, join in your
              browser: your agent sees your {what} and can point and draw on it.
            </Text>
          )}
          <Button
            variant="light"
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
