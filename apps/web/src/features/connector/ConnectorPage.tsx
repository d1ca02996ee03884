import type { LifelineClient } from '@lifeline/client';
import {
  type Case,
  type CaseDetail,
  type CaseType,
  CLOSING_NOTE_MAX,
  type CreateCaseRequest,
  customerInput,
  externalRecord,
} from '@lifeline/contracts';
import {
  Alert,
  Badge,
  Button,
  Container,
  Group,
  Loader,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { CaseOutcomePanel } from '../../components/CaseOutcomePanel.js';
import { CopyField } from '../../components/CopyField.js';
import { problemText } from '../../lib/api.js';
import { statusColors, statusLabels, typeLabels } from '../../lib/format.js';
import { appLink, canOpenInApp } from '../../lib/installedApp.js';
import { keys } from '../../lib/query-keys.js';
import { SharePanel } from '../queue/SharePanel.js';
import { useConnectorAuth } from './useConnectorAuth.js';

/** What the CRM puts in the connector URL (see docs/CONNECTORS.md). */
export interface CrmRecord {
  clientId: string;
  system: string | null;
  recordType: string | null;
  recordId: string | null;
  recordUrl: string | null;
  subject: string | null;
  contact: { name: string | null; email: string | null; phone: string | null };
}

export function readRecord(search: URLSearchParams): CrmRecord {
  const value = (key: string) => search.get(key)?.trim() || null;
  return {
    clientId: value('client_id') ?? '',
    system: value('system'),
    recordType: value('record_type'),
    recordId: value('record_id'),
    recordUrl: value('record_url'),
    subject: value('subject'),
    contact: { name: value('contact_name'), email: value('contact_email'), phone: value('contact_phone') },
  };
}

/** Live status: the frame has no cookie for the console feed, so it asks every few seconds. */
const POLL_MS = 3000;
const openStatuses = ['new', 'pending', 'in_progress'] as const;

/**
 * A CRM connector page (`/connector/case` or `/connector/desktop`): sign in
 * through OAuth, then the open session for the CRM record or a form to create
 * one, with links, Share, Join session, live status and Close session.
 */
export function ConnectorPage({ page, record }: { page: 'case' | 'desktop'; record: CrmRecord }) {
  const auth = useConnectorAuth(record.clientId);
  const me = useQuery({
    queryKey: keys.connector.me(auth.state),
    queryFn: () => auth.client.me(),
    enabled: auth.state === 'signed-in',
  });

  if (!record.clientId) {
    return (
      <Frame>
        <Alert color="red" title="This connector link is incomplete" role="alert">
          It has no client_id. Ask your Lifeline admin for the connector URL of your CRM.
        </Alert>
      </Frame>
    );
  }

  return (
    <Frame>
      <Group justify="space-between" wrap="nowrap">
        <Title order={1} size="h4">
          Lifeline remote support
        </Title>
        {auth.state === 'signed-in' && (
          <Group gap="xs" wrap="nowrap">
            {me.data && (
              <Text size="sm" c="dimmed">
                Signed in as {me.data.user.name}
              </Text>
            )}
            <Button size="xs" variant="default" onClick={() => void auth.logout()}>
              Log out
            </Button>
          </Group>
        )}
      </Group>
      {auth.error && (
        <Alert color="red" variant="light" role="alert">
          {auth.error}
        </Alert>
      )}
      {auth.state !== 'signed-in' ? (
        <Paper withBorder p="md">
          <Stack gap="sm" align="flex-start">
            <Text size="sm">
              {auth.state === 'waiting'
                ? 'Finish signing in in the new tab. This frame follows as soon as you allow the connector.'
                : 'Sign in to Lifeline to start remote support for this record.'}
            </Text>
            <Button onClick={auth.login}>Login</Button>
          </Stack>
        </Paper>
      ) : (
        <Session page={page} record={record} client={auth.client} />
      )}
    </Frame>
  );
}

function Frame({ children }: { children: React.ReactNode }) {
  return (
    <Container fluid p="sm">
      <Stack gap="sm">{children}</Stack>
    </Container>
  );
}

function Session({
  page,
  record,
  client,
}: {
  page: 'case' | 'desktop';
  record: CrmRecord;
  client: LifelineClient;
}) {
  const queryClient = useQueryClient();
  const [closed, setClosed] = useState<CaseDetail | null>(null);
  const linked = Boolean(record.system && record.recordId);
  // Without a CRM record nothing is looked up, but a created session is kept under this key all the same.
  const openCaseKey = keys.connector.openCase(record.system, record.recordId);
  const open = useQuery({
    queryKey: openCaseKey,
    queryFn: async () =>
      (
        await client.cases.list({
          externalSystem: record.system ?? '',
          externalId: record.recordId ?? '',
          status: [...openStatuses],
          limit: 1,
        })
      ).items[0] ?? null,
    enabled: linked,
  });
  const current = open.data;

  if (linked && open.isPending) return <Loader aria-label="Loading" />;
  if (open.error) {
    return (
      <Alert color="red" role="alert">
        {problemText(open.error)}
      </Alert>
    );
  }
  if (current) {
    return (
      <LiveCase
        initial={current}
        client={client}
        onClosed={(c) => {
          setClosed(c);
          queryClient.setQueryData(openCaseKey, null);
        }}
      />
    );
  }
  return (
    <Stack gap="sm">
      {closed && (
        <>
          <Alert color="gray" variant="light">
            Session {closed.code} is closed. You can create a new one for this record.
          </Alert>
          {closed.outcome && <CaseOutcomePanel outcome={closed.outcome} />}
        </>
      )}
      <CreateForm
        page={page}
        record={record}
        client={client}
        onCreated={(c) => {
          setClosed(null);
          queryClient.setQueryData(openCaseKey, c);
        }}
      />
    </Stack>
  );
}

function CreateForm({
  page,
  record,
  client,
  onCreated,
}: {
  page: 'case' | 'desktop';
  record: CrmRecord;
  client: LifelineClient;
  onCreated: (c: Case) => void;
}) {
  // On the agent desktop there is no record subject: the session name is always typed.
  const [name, setName] = useState(page === 'case' ? (record.subject ?? '') : '');
  const [type, setType] = useState<CaseType>('remote_control');
  const create = useMutation({
    mutationFn: () => {
      // A CRM may leave a placeholder unfilled or hold a malformed value; the agent cannot edit these, so a
      // value Lifeline would refuse is left out rather than blocking the session.
      const customer = Object.fromEntries(
        Object.entries(record.contact).filter(
          ([key, v]) =>
            v && customerInput.shape[key as keyof typeof customerInput.shape].safeParse(v).success,
        ),
      ) as NonNullable<CreateCaseRequest['customer']>;
      const url = record.recordUrl && externalRecord.shape.url.safeParse(record.recordUrl).success;
      const body: CreateCaseRequest = {
        name,
        type,
        ...(Object.keys(customer).length > 0 ? { customer } : {}),
        ...(record.system && record.recordId
          ? {
              external: {
                system: record.system,
                type: record.recordType ?? page,
                id: record.recordId,
                ...(url && record.recordUrl ? { url: record.recordUrl } : {}),
              },
            }
          : {}),
      };
      return client.cases.create(body);
    },
    onSuccess: onCreated,
  });
  return (
    <Paper withBorder p="md" component="section" aria-label="New session">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack gap="sm">
          <Text size="sm">
            {record.contact.name
              ? `No open session for ${record.contact.name}.`
              : 'No open session for this record.'}
          </Text>
          {create.error && (
            <Alert color="red" variant="light" role="alert">
              {problemText(create.error)}
            </Alert>
          )}
          <SegmentedControl
            aria-label="Session type"
            value={type}
            onChange={(v) => setType(v as CaseType)}
            data={[
              { value: 'remote_control', label: 'Remote control' },
              { value: 'ar', label: 'AR camera' },
            ]}
          />
          <TextInput
            label="Session name"
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create session
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function LiveCase({
  initial,
  client,
  onClosed,
}: {
  initial: Case;
  client: LifelineClient;
  onClosed: (c: CaseDetail) => void;
}) {
  const live = useQuery({
    queryKey: keys.connector.case(initial.code),
    queryFn: () => client.cases.get(initial.code),
    // A listed case has no outcome yet: it was open when listed.
    initialData: { ...initial, outcome: null },
    refetchInterval: POLL_MS,
  });
  const c = live.data;
  const [note, setNote] = useState('');
  const close = useMutation({
    mutationFn: () => client.cases.close(c.code, note.trim() ? { note: note.trim() } : undefined),
    onSuccess: onClosed,
  });
  const ended = c.status === 'closed' || c.status === 'expired';
  const online = [c.presence.agent && 'agent', c.presence.customer && 'customer']
    .filter(Boolean)
    .join(' and ');

  return (
    <Stack gap="sm">
      <Paper withBorder p="md" component="section" aria-label="Session">
        <Stack gap="xs">
          <Group justify="space-between" wrap="nowrap">
            <Title order={2} size="h5">
              {c.name}
            </Title>
            <Badge
              color={statusColors[c.status]}
              variant="light"
              aria-label={`Status: ${statusLabels[c.status]}`}
            >
              {statusLabels[c.status]}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed">
            {typeLabels[c.type]} · session code {c.code} · online now: {online || 'nobody'}
          </Text>
          {ended ? (
            // Closed or expired elsewhere (the console, the expiry): the record is free for a new session.
            <Alert color="gray" variant="light">
              <Group justify="space-between">
                <Text size="sm">This session has ended.</Text>
                <Button size="xs" variant="default" onClick={() => onClosed(c)}>
                  New session
                </Button>
              </Group>
            </Alert>
          ) : (
            <>
              <CopyField label="Agent link" value={c.links.agent} />
              <CopyField label="Customer link" value={c.links.customer} />
              <Textarea
                label="Closing note"
                description="What was done; kept with the chat transcript for this record"
                value={note}
                maxLength={CLOSING_NOTE_MAX}
                autosize
                minRows={2}
                onChange={(e) => setNote(e.currentTarget.value)}
              />
              {close.error && (
                <Alert color="red" variant="light" role="alert">
                  {problemText(close.error)}
                </Alert>
              )}
              <Group gap="xs">
                <Button component="a" href={c.links.agent} target="_blank" rel="noopener">
                  Join session
                </Button>
                {canOpenInApp() && (
                  <Button component="a" href={appLink(c.code)} variant="default">
                    Open in the app
                  </Button>
                )}
                <Button color="red" variant="light" onClick={() => close.mutate()} loading={close.isPending}>
                  Close session
                </Button>
              </Group>
            </>
          )}
        </Stack>
      </Paper>
      {ended && c.outcome && <CaseOutcomePanel outcome={c.outcome} />}
      {!ended && <SharePanel c={c} client={client} poll />}
    </Stack>
  );
}
