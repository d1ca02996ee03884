import { Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import { IconDeviceDesktop, IconDownload } from '@tabler/icons-react';
import { helperSystem, WindowsDownload } from './quicksupport.js';

/** Served by the Lifeline server: the desktop helper as one file (apps/helper, `npm run build`). */
const HELPER_DOWNLOAD = '/downloads/lifeline-quicksupport.mjs';

interface Props {
  opened: boolean;
  onClose: () => void;
  /** The customer link's token, for the helper's start command. */
  token: string;
  /** What the agent would see in the browser. */
  what: 'camera' | 'screen';
  /** "Join in browser instead". */
  onJoin: () => void;
}

/** How to get the QuickSupport desktop app for this system, from the join page's "Download QuickSupport". */
export function HelperDialog({ opened, onClose, token, what, onJoin }: Props) {
  const system = helperSystem();
  const startCommand = `node ~/Downloads/lifeline-quicksupport.mjs ${window.location.origin}/j/${token}`;
  return (
    <Modal opened={opened} onClose={onClose} title="QuickSupport desktop app" centered size="lg">
      <Stack>
        <Text size="sm">
          QuickSupport lets your agent see your screen and, only when you allow it, use your mouse and
          keyboard. It asks you first in your browser (or in its window) and you can take back control or end
          the session at any moment.
        </Text>
        {system === 'windows' && <WindowsDownload token={token} />}
        {system === 'linux' && (
          <>
            <Group gap="xs">
              <IconDeviceDesktop aria-hidden />
              <Text fw={600}>Linux (X11 desktop)</Text>
            </Group>
            <Text size="sm">
              Needs Node.js 20 or newer and ffmpeg (<Code>sudo apt install nodejs ffmpeg</Code>). Download it,
              then run in a terminal:
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
            <Code block aria-label="Start command" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
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
        <Button variant="light" onClick={onJoin}>
          Join in browser instead
        </Button>
      </Stack>
    </Modal>
  );
}
