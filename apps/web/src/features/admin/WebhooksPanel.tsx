import {
  type CreatedWebhook,
  type Webhook,
  type WebhookDelivery,
  type WebhookEventType,
  webhookEventType,
} from '@lifeline/contracts';
import {
  Accordion,
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { CopyField } from '../../components/CopyField.js';
import { api, problemText } from '../../lib/api.js';
import { keys } from '../../lib/query-keys.js';

/** What each event means to an admin choosing them (docs/WEBHOOKS.md has the payloads). */
const eventLabels: Record<WebhookEventType, string> = {
  'case.created': 'Case created',
  'case.status_changed': 'Case status changed',
  'case.assigned': 'Case assigned',
  'case.closed': 'Case closed',
  'case.expired': 'Case expired',
  'case.deleted': 'Case deleted',
  'connection.started': 'Connection started',
  'connection.ended': 'Connection ended',
  'invitation.sent': 'Invitation sent',
  'invitation.failed': 'Invitation failed',
};
const allEvents = webhookEventType.options;

/** Seconds matter for a retry due in half a minute. */
const formatMoment = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });

const deliveryColors = { pending: 'yellow', delivered: 'green', failed: 'red' } as const;
const deliveryLabels = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed' } as const;

function EventChoice({
  label,
  value,
  onChange,
}: {
  label: string;
  value: WebhookEventType[];
  onChange: (events: WebhookEventType[]) => void;
}) {
  return (
    <Checkbox.Group label={label} value={value} onChange={(v) => onChange(v as WebhookEventType[])}>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={4} mt="xs">
        {allEvents.map((e) => (
          <Checkbox key={e} value={e} label={eventLabels[e]} description={e} />
        ))}
      </SimpleGrid>
    </Checkbox.Group>
  );
}

/** The endpoint's delivery log, newest first: what was sent, how it went, and when the next try is due. */
function Deliveries({ hook }: { hook: Webhook }) {
  const deliveries = useQuery({
    queryKey: keys.webhookDeliveries(hook.id),
    queryFn: () => api.webhooks.deliveries(hook.id, { limit: 50 }),
    // Deliveries change on their own (new events, the worker's retries): the open log keeps itself
    // current, more often while a retry is pending.
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === 'pending') ? 3000 : 10_000),
  });
  const items = deliveries.data?.items ?? [];
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text fw={600} size="sm">
          Deliveries
        </Text>
        <Button
          variant="default"
          size="xs"
          loading={deliveries.isFetching}
          onClick={() => void deliveries.refetch()}
        >
          Refresh deliveries
        </Button>
      </Group>
      {deliveries.error && (
        <Alert color="red" variant="light" role="alert">
          {problemText(deliveries.error)}
        </Alert>
      )}
      {deliveries.isSuccess && items.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing sent yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table aria-label={`Deliveries to ${hook.url}`} striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Event</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Last answer</Table.Th>
                <Table.Th>Next retry</Table.Th>
                <Table.Th>Last error</Table.Th>
                <Table.Th>Created</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((d) => (
                <DeliveryRow key={d.id} delivery={d} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function DeliveryRow({ delivery: d }: { delivery: WebhookDelivery }) {
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm">{d.eventType}</Text>
        <Text size="xs" c="dimmed">
          {d.eventId}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={deliveryColors[d.status]}>
          {deliveryLabels[d.status]}
        </Badge>
      </Table.Td>
      <Table.Td>{d.attempts}</Table.Td>
      <Table.Td>{d.lastStatusCode === null ? '—' : `HTTP ${d.lastStatusCode}`}</Table.Td>
      <Table.Td>{d.status === 'pending' && d.nextAttemptAt ? formatMoment(d.nextAttemptAt) : '—'}</Table.Td>
      <Table.Td>{d.lastError ?? '—'}</Table.Td>
      <Table.Td>{formatMoment(d.createdAt)}</Table.Td>
    </Table.Tr>
  );
}

/** One endpoint opened: switch it on or off, change its events, read its deliveries, delete it. */
function WebhookDetails({ hook, onDelete }: { hook: Webhook; onDelete: () => void }) {
  const queryClient = useQueryClient();
  const [events, setEvents] = useState<WebhookEventType[]>(hook.events);
  const update = useMutation({
    mutationFn: (body: { enabled?: boolean; events?: WebhookEventType[] }) =>
      api.webhooks.update(hook.id, body),
    onSuccess: (changed) => {
      queryClient.setQueryData<Webhook[]>(keys.webhooks, (list) =>
        list?.map((w) => (w.id === changed.id ? changed : w)),
      );
      setEvents(changed.events);
    },
  });
  const eventsChanged = events.length !== hook.events.length || events.some((e) => !hook.events.includes(e));
  return (
    <Stack gap="sm">
      {hook.disabledReason && (
        <Alert color="red" variant="light" title="Disabled by Lifeline">
          {hook.disabledReason} Switch it on again once the receiver answers; that resets the count of
          failures.
        </Alert>
      )}
      <Switch
        label={`Send events to ${hook.url}`}
        checked={hook.enabled}
        disabled={update.isPending}
        onChange={(e) => update.mutate({ enabled: e.currentTarget.checked })}
      />
      <Text size="sm" c="dimmed">
        {hook.consecutiveFailures === 0
          ? 'No failed attempts since the last success.'
          : `${hook.consecutiveFailures} failed attempts in a row.`}
      </Text>
      <EventChoice label="Events sent to this endpoint" value={events} onChange={setEvents} />
      {update.error && (
        <Alert color="red" variant="light" role="alert">
          {problemText(update.error)}
        </Alert>
      )}
      <Group>
        <Button
          size="xs"
          disabled={!eventsChanged}
          loading={update.isPending}
          onClick={() => update.mutate({ events })}
        >
          Save events
        </Button>
      </Group>
      <Deliveries hook={hook} />
      <Group justify="flex-end">
        <Button color="red" variant="light" size="xs" onClick={onDelete}>
          Delete endpoint
        </Button>
      </Group>
    </Stack>
  );
}

/** Admins register HTTPS endpoints that receive signed case events (docs/WEBHOOKS.md). */
export function WebhooksPanel() {
  const queryClient = useQueryClient();
  const hooks = useQuery({ queryKey: keys.webhooks, queryFn: () => api.webhooks.list() });
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>([...allEvents]);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [removing, setRemoving] = useState<Webhook | null>(null);
  // Only the opened endpoint is rendered, so only its delivery log is fetched and kept current.
  const [open, setOpen] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.webhooks });
  const create = useMutation({
    mutationFn: () =>
      api.webhooks.create({
        url: url.trim(),
        events,
        ...(description.trim() ? { description: description.trim() } : {}),
      }),
    onSuccess: (hook) => {
      setCreated(hook);
      setUrl('');
      setDescription('');
      setEvents([...allEvents]);
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.webhooks.delete(id),
    onSuccess: () => {
      setRemoving(null);
      refresh();
    },
  });

  return (
    <Stack>
      <Text size="sm" c="dimmed">
        Lifeline sends a signed JSON notification to each enabled endpoint for every event it subscribed to,
        and retries failed deliveries with growing pauses.
      </Text>
      <form
        aria-label="Add a webhook endpoint"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack gap="xs" maw={640}>
          <TextInput
            label="Endpoint URL"
            placeholder="https://crm.example.com/lifeline-events"
            required
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
          />
          <TextInput
            label="Description"
            description="Optional: what receives the events"
            maxLength={200}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <EventChoice label="Events" value={events} onChange={setEvents} />
          {create.error && (
            <Alert color="red" variant="light" role="alert">
              {problemText(create.error)}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={create.isPending}>
              Add endpoint
            </Button>
          </Group>
        </Stack>
      </form>

      {hooks.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No webhook endpoints yet.
        </Text>
      )}
      <Accordion variant="separated" aria-label="Webhook endpoints" value={open} onChange={setOpen}>
        {(hooks.data ?? []).map((hook) => (
          <Accordion.Item key={hook.id} value={hook.id}>
            <Accordion.Control>
              <Group gap="xs">
                <Text span>{hook.url}</Text>
                <Badge variant="light" color={hook.enabled ? 'green' : 'gray'}>
                  {hook.enabled ? 'Enabled' : 'Disabled'}
                </Badge>
                <Text span size="xs" c="dimmed">
                  {hook.description ? `${hook.description} · ` : ''}
                  {hook.events.length} of {allEvents.length} events
                </Text>
              </Group>
            </Accordion.Control>
            <Accordion.Panel>
              {open === hook.id && <WebhookDetails hook={hook} onDelete={() => setRemoving(hook)} />}
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>

      <Modal
        opened={created !== null}
        onClose={() => setCreated(null)}
        title="Webhook endpoint added"
        size="lg"
      >
        {created && (
          <Stack>
            <Alert variant="light" color="yellow">
              Copy the signing secret now: it is shown only this once. The receiver checks each request's
              Lifeline-Signature with it.
            </Alert>
            <CopyField label="Signing secret" value={created.secret} />
            <Group justify="flex-end">
              <Button onClick={() => setCreated(null)}>Done</Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <ConfirmDialog
        opened={removing !== null}
        title={`Delete the endpoint ${removing?.url ?? ''}?`}
        explanation="It receives no more events; its delivery log goes with it."
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate(removing.id)}
        onCancel={() => setRemoving(null)}
      />
    </Stack>
  );
}
