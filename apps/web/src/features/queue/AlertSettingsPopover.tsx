import { ActionIcon, Alert, Popover, Stack, Switch, Text, Title } from '@mantine/core';
import { IconBell, IconBellOff } from '@tabler/icons-react';
import { useState } from 'react';
import { useAlertSettings } from './newWork.js';

/** The console header's switches for how this agent hears of new cases, on this device. */
export function AlertSettingsPopover({ userId }: { userId: string }) {
  const [settings, setSettings] = useAlertSettings(userId);
  const [problem, setProblem] = useState<string | null>(null);
  const supported = typeof window !== 'undefined' && 'Notification' in window;

  const setDesktop = async (on: boolean) => {
    setProblem(null);
    if (!on) return setSettings((s) => ({ ...s, desktop: false }));
    if (!supported) return setProblem('This browser cannot show desktop notifications.');
    // The browser asks once; a refusal can only be undone in its site settings.
    const permission =
      Notification.permission === 'default'
        ? await Notification.requestPermission()
        : Notification.permission;
    if (permission !== 'granted') {
      return setProblem(
        'The browser blocks notifications for this site. Allow them in its site settings, then try again.',
      );
    }
    setSettings((s) => ({ ...s, desktop: true }));
  };

  const quiet = !settings.sound && !settings.desktop;
  return (
    <Popover width={300} position="bottom-end" shadow="md" withArrow>
      <Popover.Target>
        <ActionIcon variant="default" size="lg" aria-label="New case alerts">
          {quiet ? <IconBellOff size={18} aria-hidden /> : <IconBell size={18} aria-hidden />}
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="sm" role="group" aria-label="New case alerts">
          <Title order={2} size="h5">
            New case alerts
          </Title>
          <Text size="xs" c="dimmed">
            When a case arrives in your groups (a module, SOS, the API or a colleague), the tab's title shows
            how many are waiting, and:
          </Text>
          <Switch
            label="Play a sound"
            checked={settings.sound}
            onChange={(e) => {
              const sound = e.currentTarget.checked;
              setSettings((s) => ({ ...s, sound }));
            }}
          />
          <Switch
            label="Desktop notifications"
            checked={settings.desktop}
            onChange={(e) => void setDesktop(e.currentTarget.checked)}
          />
          {problem && (
            <Alert color="orange" variant="light" p="xs">
              <Text size="xs">{problem}</Text>
            </Alert>
          )}
          <Text size="xs" c="dimmed">
            Saved for you in this browser.
          </Text>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
