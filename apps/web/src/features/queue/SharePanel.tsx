import type { LifelineClient } from '@lifeline/client';
import type { Case, Invitation } from '@lifeline/contracts';
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, problemText } from '../../lib/api.js';
import { formatTime } from '../../lib/format.js';
import { keys } from '../../lib/query-keys.js';

const statusColors: Record<Invitation['status'], string> = { queued: 'yellow', sent: 'green', failed: 'red' };

/**
 * "Share": send the customer link by e-mail or SMS, pre-filled from the customer, and see each delivery's state.
 * The console hears of each delivery on its live feed (every `invitation.*` entry is a case change); the CRM
 * connector, which has no feed, passes its bearer-token client and `poll`.
 */
export function SharePanel({
  c,
  client = api,
  poll = false,
}: {
  c: Case;
  client?: LifelineClient;
  poll?: boolean;
}) {
  const queryClient = useQueryClient();
  const ended = c.status === 'closed' || c.status === 'expired';
  const invitations = useQuery({
    queryKey: keys.events.invitations(c.code),
    queryFn: () => client.cases.invitations(c.code, { limit: 50 }),
    // Without the live feed, look again while something is on its way.
    refetchInterval: (q) => (poll && q.state.data?.items.some((i) => i.status === 'queued') ? 3000 : false),
  });
  const [open, setOpen] = useState(false);
  const [channel, setChannel] = useState<'email' | 'sms'>(
    c.customer.email || !c.customer.phone ? 'email' : 'sms',
  );
  const [to, setTo] = useState('');
  const [message, setMessage] = useState('');
  const send = useMutation({
    mutationFn: () =>
      client.cases.invite(c.code, { channel, to, ...(message.trim() ? { message: message.trim() } : {}) }),
    onSuccess: () => {
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: keys.events.of(c.code) });
    },
  });
  const start = () => {
    const preferred = c.customer.email || !c.customer.phone ? 'email' : 'sms';
    setChannel(preferred);
    setTo((preferred === 'email' ? c.customer.email : c.customer.phone) ?? '');
    setMessage('');
    send.reset();
    setOpen(true);
  };

  return (
    <Paper withBorder p="md" component="section" aria-label="Invitations">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          Invitations
        </Title>
        {!ended && (
          <Button size="xs" onClick={start}>
            Share
          </Button>
        )}
      </Group>
      {invitations.data?.items.length ? (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>To</Table.Th>
              <Table.Th>Sent</Table.Th>
              <Table.Th>State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {invitations.data.items.map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td>
                  {i.channel === 'email' ? 'E-mail' : 'SMS'} {i.to}
                </Table.Td>
                <Table.Td>{formatTime(i.createdAt)}</Table.Td>
                <Table.Td>
                  <Badge color={statusColors[i.status]} variant="light">
                    {i.status === 'queued' && i.transport === 'local' ? 'in the local outbox' : i.status}
                  </Badge>
                  {i.error && (
                    <Text size="xs" c="red">
                      {i.error}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <Text size="sm" c="dimmed">
          No invitation sent yet.
        </Text>
      )}

      <Modal opened={open} onClose={() => setOpen(false)} title="Share the customer link">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            send.mutate();
          }}
        >
          <Stack>
            {send.error && (
              <Alert color="red" variant="light" role="alert">
                {problemText(send.error)}
              </Alert>
            )}
            <SegmentedControl
              aria-label="Send by"
              value={channel}
              onChange={(v) => {
                const next = v as 'email' | 'sms';
                setChannel(next);
                setTo((next === 'email' ? c.customer.email : c.customer.phone) ?? '');
              }}
              data={[
                { value: 'email', label: 'E-mail' },
                { value: 'sms', label: 'SMS' },
              ]}
            />
            <TextInput
              label={channel === 'email' ? 'E-mail address' : 'Phone number'}
              type={channel === 'email' ? 'email' : 'tel'}
              required
              value={to}
              onChange={(e) => setTo(e.currentTarget.value)}
            />
            <Textarea
              label="Message"
              description="Added above the link and the session code"
              autosize
              minRows={2}
              maxLength={1000}
              value={message}
              onChange={(e) => setMessage(e.currentTarget.value)}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={send.isPending}>
                Send
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Paper>
  );
}
