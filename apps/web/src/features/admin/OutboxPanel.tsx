import { Badge, Paper, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api.js';
import { formatTime } from '../../lib/format.js';
import { keys } from '../../lib/query-keys.js';

/** Every e-mail and SMS as it was (or would be) sent; without a provider, this is where they wait. */
export function OutboxPanel() {
  const outbox = useQuery({ queryKey: keys.outbox, queryFn: () => api.outbox.list({ limit: 50 }) });
  if (outbox.data?.items.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No messages yet.
      </Text>
    );
  }
  return (
    <Stack>
      {(outbox.data?.items ?? []).map((m) => (
        <Paper key={m.id} withBorder p="sm" component="article" aria-label={`Message to ${m.to}`}>
          <Text size="sm" fw={600}>
            {m.channel === 'email' ? 'E-mail' : 'SMS'} to {m.to} · {m.caseCode} · {formatTime(m.createdAt)}{' '}
            <Badge
              size="sm"
              variant="light"
              color={m.status === 'failed' ? 'red' : m.status === 'sent' ? 'green' : 'yellow'}
            >
              {m.transport === 'local' ? 'local outbox' : m.status}
            </Badge>
          </Text>
          {m.subject && <Text size="sm">{m.subject}</Text>}
          <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }}>
            {m.text}
          </Text>
        </Paper>
      ))}
    </Stack>
  );
}
