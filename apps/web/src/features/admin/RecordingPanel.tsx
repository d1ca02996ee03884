import { Alert, Button, Group, NumberInput, Stack, Switch, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, problemText } from '../../lib/api.js';
import { keys } from '../../lib/query-keys.js';

/** Whether the organisation records its sessions, and how long recordings are kept. */
export function RecordingPanel() {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: keys.recordingSettings, queryFn: () => api.recordings.settings() });
  const [enabled, setEnabled] = useState(false);
  const [retentionDays, setRetentionDays] = useState<number | string>(30);
  useEffect(() => {
    if (!settings.data) return;
    setEnabled(settings.data.enabled);
    setRetentionDays(settings.data.retentionDays);
  }, [settings.data]);
  const save = useMutation({
    mutationFn: () => api.recordings.updateSettings({ enabled, retentionDays: Number(retentionDays) }),
    onSuccess: (saved) => queryClient.setQueryData(keys.recordingSettings, saved),
  });

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack maw={560}>
        <Text size="sm">
          With recording on, the customer is told before allowing that the session is recorded, and the
          agent’s browser records what the agent sees (in AR sessions with the annotations and both voices).
          Recordings are listed on the case page: agents play them, admins download them, and each viewing and
          download is written to the case’s audit trail.
        </Text>
        <Switch
          label="Record sessions"
          checked={enabled}
          onChange={(e) => setEnabled(e.currentTarget.checked)}
          disabled={!settings.data}
        />
        <NumberInput
          label="Keep recordings for (days)"
          description="Older recordings are deleted automatically."
          min={1}
          max={3650}
          allowDecimal={false}
          value={retentionDays}
          onChange={setRetentionDays}
          disabled={!settings.data}
          w={240}
        />
        {save.error && (
          <Alert color="red" variant="light" role="alert">
            {problemText(save.error)}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending} disabled={!settings.data}>
            Save
          </Button>
          {save.isSuccess && (
            <Text size="sm" c="teal" role="status">
              Saved.
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}
