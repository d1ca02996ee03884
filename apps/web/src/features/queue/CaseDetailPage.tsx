import {
  Alert,
  Anchor,
  Button,
  CopyButton,
  Grid,
  Group,
  Loader,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
} from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { CaseOutcomePanel } from '../../components/CaseOutcomePanel.js';
import { ConnectButton } from '../../components/ConnectButton.js';
import { api, isApiError, problemText } from '../../lib/api.js';
import { formatTime, formatTimeExact, sourceLabels, typeLabels } from '../../lib/format.js';
import { keys } from '../../lib/query-keys.js';
import { useMe } from '../../lib/useMe.js';
import { describeEvent } from './auditWording.js';
import {
  AssignDialog,
  CloseCaseDialog,
  DeleteCaseDialog,
  EditCaseDialog,
  isEnded,
  mayDelete,
  mayEnd,
  StatusBadge,
} from './caseActions.js';
import { seenCase, useBadgedTitle } from './newWork.js';
import { RecordingsPanel } from './RecordingsPanel.js';
import { SharePanel } from './SharePanel.js';
import { useConsoleFeed } from './useConsoleFeed.js';

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}

/** Everything about one case: its fields, links, audit trail and remote connections, kept live. */
export function CaseDetailPage() {
  const { code = '' } = useParams();
  useConsoleFeed();
  useBadgedTitle(`Case ${code} – Lifeline`);
  // Looking at a new case counts as having seen it: it leaves the title's count.
  useEffect(() => seenCase(code), [code]);
  const found = useQuery({ queryKey: keys.case(code), queryFn: () => api.cases.get(code) });
  // Chat messages are in the trail too, so a long session has more than one page.
  const events = useInfiniteQuery({
    queryKey: keys.events.of(code),
    queryFn: ({ pageParam }) =>
      api.cases.events(code, { limit: 200, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const connections = useQuery({
    queryKey: keys.events.connections(code),
    queryFn: () => api.cases.connections(code),
  });
  const users = useQuery({ queryKey: keys.users, queryFn: () => api.users.list() });
  const groups = useQuery({ queryKey: keys.groups, queryFn: () => api.groups.list() });
  const me = useMe();
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<'edit' | 'assign' | 'close' | 'delete' | null>(null);
  const dismiss = () => setDialog(null);
  const userName = (id: unknown) => users.data?.find((u) => u.id === id)?.name ?? String(id);

  if (found.error && !found.data) {
    return (
      <Alert
        color="red"
        title={isApiError(found.error, 404) ? 'No such case' : 'The case could not be loaded'}
      >
        {isApiError(found.error, 404)
          ? `There is no service case ${code} (it may have been deleted).`
          : problemText(found.error)}{' '}
        <Anchor component={Link} to="/">
          Back to the queue
        </Anchor>
      </Alert>
    );
  }
  const c = found.data;
  if (!c) return <Loader aria-label="Loading" />;
  const ended = isEnded(c);

  return (
    <Stack>
      <Anchor component={Link} to="/" size="sm">
        ← Service queue
      </Anchor>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={1} size="h2">
            {c.name}
          </Title>
          <StatusBadge status={c.status} />
        </Group>
        <Group gap="xs" role="toolbar" aria-label="Case actions">
          {!ended && <ConnectButton href={c.links.agent} />}
          {!ended && (
            <Button variant="default" onClick={() => setDialog('edit')}>
              Edit
            </Button>
          )}
          {!ended && (
            <Button variant="default" onClick={() => setDialog('assign')}>
              Assign
            </Button>
          )}
          {!ended && mayEnd(c, me.data) && (
            <Button color="red" variant="light" onClick={() => setDialog('close')}>
              Close case
            </Button>
          )}
          {mayDelete(c, me.data) && (
            <Button color="red" variant="subtle" onClick={() => setDialog('delete')}>
              Delete
            </Button>
          )}
        </Group>
      </Group>
      <EditCaseDialog target={dialog === 'edit' ? c : null} groups={groups.data ?? []} onDone={dismiss} />
      <AssignDialog target={dialog === 'assign' ? c : null} users={users.data ?? []} onDone={dismiss} />
      <CloseCaseDialog target={dialog === 'close' ? c : null} onCancel={dismiss} onClosed={dismiss} />
      <DeleteCaseDialog
        target={dialog === 'delete' ? c : null}
        onCancel={dismiss}
        onDeleted={() => void navigate('/', { state: { deleted: c.code } })}
      />
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack>
            <Paper withBorder p="md" component="section" aria-label="Details">
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                <Field label="Session code">{c.code}</Field>
                <Field label="Type">{typeLabels[c.type]}</Field>
                <Field label="Source">{sourceLabels[c.source]}</Field>
                <Field label="Group">{groups.data?.find((g) => g.id === c.groupId)?.name ?? '—'}</Field>
                <Field label="Assignee">{c.assigneeId ? userName(c.assigneeId) : 'Unassigned'}</Field>
                <Field label="Online now">
                  {[c.presence.agent && 'agent', c.presence.customer && 'customer']
                    .filter(Boolean)
                    .join(' and ') || 'nobody'}
                </Field>
                <Field label="Customer">
                  {[c.customer.name, c.customer.email, c.customer.phone].filter(Boolean).join(' · ') || '—'}
                </Field>
                <Field label="CRM record">
                  {c.external ? `${c.external.system} ${c.external.type} ${c.external.id}` : '—'}
                </Field>
                <Field label="Created">
                  {formatTime(c.createdAt)} by {c.createdBy.name ?? c.createdBy.type}
                </Field>
                <Field label={ended ? 'Ended' : 'Expires'}>
                  {ended
                    ? `${formatTime(c.closedAt ?? c.expiresAt)}${c.closedBy?.name ? ` by ${c.closedBy.name}` : ''}`
                    : formatTime(c.expiresAt)}
                </Field>
                <Field label="Description">{c.description ?? '—'}</Field>
                <Field label="Waiting message">{c.waitingMessage ?? '—'}</Field>
              </SimpleGrid>
              {!ended && (
                <Group mt="md" gap="xs">
                  <CopyButton value={c.links.customer}>
                    {({ copied, copy }) => (
                      <Button size="xs" variant="default" onClick={copy}>
                        {copied ? 'Copied' : 'Copy customer link'}
                      </Button>
                    )}
                  </CopyButton>
                  <CopyButton value={c.code}>
                    {({ copied, copy }) => (
                      <Button size="xs" variant="default" onClick={copy}>
                        {copied ? 'Copied' : 'Copy code'}
                      </Button>
                    )}
                  </CopyButton>
                </Group>
              )}
            </Paper>
            <SharePanel c={c} />
            <Paper withBorder p="md" component="section" aria-label="Connections">
              <Title order={2} size="h4" mb="xs">
                Connections
              </Title>
              {connections.data?.length ? (
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Agent</Table.Th>
                      <Table.Th>Started</Table.Th>
                      <Table.Th>Ended</Table.Th>
                      <Table.Th>Duration</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {connections.data.map((x) => (
                      <Table.Tr key={x.id}>
                        <Table.Td>{x.agent.name ?? '—'}</Table.Td>
                        <Table.Td>{formatTime(x.startedAt)}</Table.Td>
                        <Table.Td>{x.endedAt ? formatTime(x.endedAt) : 'connected now'}</Table.Td>
                        <Table.Td>
                          {Math.floor(x.durationSeconds / 60)} min {x.durationSeconds % 60} s
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              ) : (
                <Text size="sm" c="dimmed">
                  No remote connection yet.
                </Text>
              )}
            </Paper>
            <RecordingsPanel code={c.code} admin={me.data?.user.role === 'admin'} />
            {'outcome' in c && c.outcome && <CaseOutcomePanel outcome={c.outcome} />}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper withBorder p="md" component="section" aria-label="Audit trail">
            <Title order={2} size="h4" mb="sm">
              Audit trail
            </Title>
            {events.data ? (
              <Timeline bulletSize={12} lineWidth={2}>
                {events.data.pages
                  .flatMap((p) => p.items)
                  .map((e) => {
                    const { title, text } = describeEvent(e, c, userName);
                    return (
                      <Timeline.Item key={e.id} title={title}>
                        {text !== undefined && (
                          <Text size="sm" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
                            {text}
                          </Text>
                        )}
                        <Text size="xs" c="dimmed">
                          <time dateTime={e.createdAt}>{formatTimeExact(e.createdAt)}</time>
                        </Text>
                      </Timeline.Item>
                    );
                  })}
              </Timeline>
            ) : (
              <Loader size="sm" aria-label="Loading the audit trail" />
            )}
            {events.hasNextPage && (
              <Button
                mt="sm"
                size="xs"
                variant="default"
                loading={events.isFetchingNextPage}
                onClick={() => void events.fetchNextPage()}
              >
                Show later entries
              </Button>
            )}
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
