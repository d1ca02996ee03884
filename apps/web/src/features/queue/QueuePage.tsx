import type { Case, CaseStatus } from '@lifeline/contracts';
import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Loader,
  Menu,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue, useInterval } from '@mantine/hooks';
import { IconChevronDown, IconChevronUp, IconDots, IconPlus, IconSearch } from '@tabler/icons-react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { ConnectButton } from '../../components/ConnectButton.js';
import { api, problemText } from '../../lib/api.js';
import { expiresIn, formatTime, sourceLabels, statusLabels, typeLabels } from '../../lib/format.js';
import { appLink, canOpenInApp } from '../../lib/installedApp.js';
import { keys } from '../../lib/query-keys.js';
import { useMe } from '../../lib/useMe.js';
import { AssignDialog, CloseCaseDialog, isEnded, mayEnd, StatusBadge } from './caseActions.js';
import { NewCaseDialog } from './NewCaseDialog.js';
import { useBadgedTitle } from './newWork.js';
import { useConsoleFeed } from './useConsoleFeed.js';

const PAGE_SIZE = 50;
const OPEN: CaseStatus[] = ['new', 'pending', 'in_progress'];
type SortKey = 'createdAt' | 'name' | 'status' | 'expiresAt';

const statusOrder: Record<CaseStatus, number> = { new: 0, pending: 1, in_progress: 2, closed: 3, expired: 4 };
const compare: Record<SortKey, (a: Case, b: Case) => number> = {
  createdAt: (a, b) => a.createdAt.localeCompare(b.createdAt),
  name: (a, b) => a.name.localeCompare(b.name),
  status: (a, b) => statusOrder[a.status] - statusOrder[b.status],
  expiresAt: (a, b) => a.expiresAt.localeCompare(b.expiresAt),
};

function SortHeader(props: {
  label: string;
  sortKey: SortKey;
  sort: { key: SortKey; desc: boolean };
  onSort: (key: SortKey) => void;
}) {
  const active = props.sort.key === props.sortKey;
  return (
    <Table.Th aria-sort={active ? (props.sort.desc ? 'descending' : 'ascending') : 'none'}>
      <UnstyledButton onClick={() => props.onSort(props.sortKey)} fw={600} fz="sm">
        <Group gap={4} wrap="nowrap">
          {props.label}
          {active &&
            (props.sort.desc ? (
              <IconChevronDown size={14} aria-hidden />
            ) : (
              <IconChevronUp size={14} aria-hidden />
            ))}
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}

/** The live service queue. */
export function QueuePage() {
  // "Connect" opens the agent client in a new tab: its code is fetched now, so that tab finds it in the cache.
  useEffect(() => {
    void import('../../routes/agent.js');
  }, []);
  const me = useMe();
  const live = useConsoleFeed();
  useBadgedTitle('Queue – Lifeline');
  const deleted = (useLocation().state as { deleted?: string } | null)?.deleted;
  const queryClient = useQueryClient();
  const [statuses, setStatuses] = useState<string[]>(OPEN);
  const [groupId, setGroupId] = useState<string | null>(null);
  const [mine, setMine] = useState(false);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'createdAt', desc: true });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [creating, setCreating] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [assigning, setAssigning] = useState<Case | null>(null);
  const [closing, setClosing] = useState<Case | null>(null);
  const [now, setNow] = useState(Date.now());
  useInterval(() => setNow(Date.now()), 30_000, { autoInvoke: true });

  const groups = useQuery({ queryKey: keys.groups, queryFn: () => api.groups.list() });
  const users = useQuery({ queryKey: keys.users, queryFn: () => api.users.list() });
  const filters = { statuses, groupId, mine, q };
  const cases = useInfiniteQuery({
    queryKey: keys.cases.list(filters),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.cases.list({
        limit: PAGE_SIZE,
        ...(pageParam ? { cursor: pageParam } : {}),
        ...(statuses.length ? { status: statuses as CaseStatus[] } : {}),
        ...(groupId ? { groupId } : {}),
        ...(mine ? { assigneeId: 'me' } : {}),
        ...(q ? { q } : {}),
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  const rows = useMemo(() => {
    const all = cases.data?.pages.flatMap((p) => p.items) ?? [];
    const sorted = [...all].sort(compare[sort.key]);
    return sort.desc ? sorted.reverse() : sorted;
  }, [cases.data, sort]);

  // A selection only holds cases still on screen.
  useEffect(() => {
    const shown = new Set(rows.map((r) => r.code));
    setSelected((s) => {
      const kept = [...s].filter((c) => shown.has(c));
      return kept.length === s.size ? s : new Set(kept);
    });
  }, [rows]);

  const groupName = (id: string) => groups.data?.find((g) => g.id === id)?.name ?? '—';
  const userName = (id: string | null) =>
    id ? (users.data?.find((u) => u.id === id)?.name ?? '—') : 'Unassigned';
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.cases.all });

  const bulkDelete = useMutation({
    mutationFn: () => api.cases.bulkDelete([...selected]),
    onSuccess: () => {
      setSelected(new Set());
      setConfirmDelete(false);
      refresh();
    },
  });
  const assignToMe = useMutation({
    mutationFn: (code: string) => api.cases.update(code, { assigneeId: me.data?.user.id ?? null }),
    onSuccess: refresh,
  });

  const onSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, desc: !s.desc } : { key, desc: key === 'createdAt' }));
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.code));
  const n = selected.size;
  const hidesEnded = statuses.length > 0 && !statuses.includes('closed') && !statuses.includes('expired');

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Group gap="xs">
          <Title order={1} size="h2">
            Service queue
          </Title>
          <Badge
            variant="dot"
            color={live ? 'green' : 'gray'}
            aria-label={live ? 'Live updates on' : 'Live updates off'}
          >
            {live ? 'Live' : 'Offline'}
          </Badge>
        </Group>
        <Group gap="xs">
          {n > 0 && (
            <Button color="red" variant="light" onClick={() => setConfirmDelete(true)}>
              Delete
            </Button>
          )}
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
            New service case
          </Button>
        </Group>
      </Group>

      <Group gap="sm" align="flex-end" wrap="wrap">
        <MultiSelect
          label="Status"
          placeholder={statuses.length ? undefined : 'All statuses'}
          data={Object.entries(statusLabels).map(([value, label]) => ({ value, label }))}
          value={statuses}
          onChange={setStatuses}
          clearable
          w={{ base: '100%', sm: 320 }}
        />
        <Select
          label="Group"
          placeholder="All groups"
          clearable
          data={(groups.data ?? []).map((g) => ({ value: g.id, label: g.name }))}
          value={groupId}
          onChange={setGroupId}
          w={{ base: '100%', sm: 200 }}
        />
        <TextInput
          label="Search"
          placeholder="Code, name, customer"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={{ base: '100%', sm: 240 }}
        />
        <Switch
          label="Assigned to me"
          checked={mine}
          onChange={(e) => setMine(e.currentTarget.checked)}
          mb={8}
        />
      </Group>

      {deleted && (
        <Alert color="gray" variant="light" role="status">
          {deleted} was deleted.
        </Alert>
      )}

      {cases.error && (
        <Alert color="red" variant="light" title="The queue could not be loaded">
          {problemText(cases.error)}
        </Alert>
      )}

      <Table.ScrollContainer minWidth={1250}>
        <Table striped highlightOnHover verticalSpacing="xs" aria-label="Service cases">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={36}>
                <Checkbox
                  aria-label="Select all shown cases"
                  checked={allSelected}
                  indeterminate={n > 0 && !allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.code)))}
                />
              </Table.Th>
              <Table.Th>Code</Table.Th>
              <SortHeader label="Name" sortKey="name" sort={sort} onSort={onSort} />
              <Table.Th>Customer</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Source</Table.Th>
              <SortHeader label="Status" sortKey="status" sort={sort} onSort={onSort} />
              <Table.Th>Assignee</Table.Th>
              <Table.Th>Group</Table.Th>
              <SortHeader label="Created" sortKey="createdAt" sort={sort} onSort={onSort} />
              <SortHeader label="Expires in" sortKey="expiresAt" sort={sort} onSort={onSort} />
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((c) => {
              const ended = isEnded(c);
              return (
                <Table.Tr key={c.code} aria-label={`${c.name} ${c.code}`}>
                  <Table.Td>
                    <Checkbox
                      aria-label={`Select ${c.code}`}
                      checked={selected.has(c.code)}
                      onChange={() =>
                        setSelected((s) => {
                          const next = new Set(s);
                          if (!next.delete(c.code)) next.add(c.code);
                          return next;
                        })
                      }
                    />
                  </Table.Td>
                  <Table.Td ff="monospace" fz="sm" style={{ whiteSpace: 'nowrap' }}>
                    <Anchor component={Link} to={`/cases/${c.code}`}>
                      {c.code}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {c.name}
                    {c.source === 'sos' && (
                      <Badge
                        ml="xs"
                        color="red"
                        variant="filled"
                        size="sm"
                        title="Opened with the SOS button"
                      >
                        SOS
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{c.customer.name ?? c.customer.email ?? '—'}</Table.Td>
                  <Table.Td>{typeLabels[c.type]}</Table.Td>
                  <Table.Td>{sourceLabels[c.source]}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={c.status} />
                  </Table.Td>
                  <Table.Td>{userName(c.assigneeId)}</Table.Td>
                  <Table.Td>{groupName(c.groupId)}</Table.Td>
                  <Table.Td fz="sm" style={{ whiteSpace: 'nowrap' }}>
                    {formatTime(c.createdAt)}
                  </Table.Td>
                  <Table.Td fz="sm" style={{ whiteSpace: 'nowrap' }}>
                    {expiresIn(c, now)}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      {!ended && <ConnectButton size="xs" href={c.links.agent} />}
                      <Menu position="bottom-end" withinPortal>
                        <Menu.Target>
                          <ActionIcon variant="subtle" aria-label={`More actions for ${c.code}`}>
                            <IconDots size={16} />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          {!ended && canOpenInApp() && (
                            <Menu.Item component="a" href={appLink(c.code)}>
                              Open in the installed app
                            </Menu.Item>
                          )}
                          <Menu.Item onClick={() => void navigator.clipboard.writeText(c.links.customer)}>
                            Copy customer link
                          </Menu.Item>
                          <Menu.Item onClick={() => void navigator.clipboard.writeText(c.code)}>
                            Copy code
                          </Menu.Item>
                          {!ended && <Menu.Item onClick={() => setAssigning(c)}>Assign…</Menu.Item>}
                          {!ended && me.data && c.assigneeId !== me.data.user.id && (
                            <Menu.Item onClick={() => assignToMe.mutate(c.code)}>Assign to me</Menu.Item>
                          )}
                          {!ended && mayEnd(c, me.data) && (
                            <Menu.Item color="red" onClick={() => setClosing(c)}>
                              Close
                            </Menu.Item>
                          )}
                        </Menu.Dropdown>
                      </Menu>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>

      {cases.isPending && (
        <Group justify="center">
          <Loader size="sm" aria-label="Loading cases" />
        </Group>
      )}
      {cases.isSuccess && rows.length === 0 && (
        <Stack align="center" gap="xs" py="xl">
          <Text c="dimmed" ta="center">
            {hidesEnded
              ? 'No open service cases match. Closed and expired cases are hidden by the Status filter.'
              : 'No service cases match. Create one with “New service case”.'}
          </Text>
          {hidesEnded && (
            <Button variant="default" size="xs" onClick={() => setStatuses([])}>
              Show all statuses
            </Button>
          )}
        </Stack>
      )}
      {cases.hasNextPage && (
        <Group justify="center">
          <Button
            variant="default"
            loading={cases.isFetchingNextPage}
            onClick={() => void cases.fetchNextPage()}
          >
            Load more
          </Button>
        </Group>
      )}

      <NewCaseDialog
        opened={creating}
        onClose={() => setCreating(false)}
        groups={groups.data ?? []}
        users={users.data ?? []}
      />

      <Modal
        opened={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={`Delete ${n} service ${n === 1 ? 'case' : 'cases'}?`}
        centered
      >
        <Stack>
          <Text size="sm">
            Their links and codes stop working, connected customers are disconnected, and their audit trails
            are removed. This cannot be undone.
          </Text>
          {bulkDelete.error && (
            <Alert color="red" variant="light" role="alert">
              {problemText(bulkDelete.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmDelete(false)}>
              Cancel
            </Button>
            <Button color="red" loading={bulkDelete.isPending} onClick={() => bulkDelete.mutate()}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>

      <AssignDialog target={assigning} users={users.data ?? []} onDone={() => setAssigning(null)} />
      <CloseCaseDialog target={closing} onCancel={() => setClosing(null)} onClosed={() => setClosing(null)} />
    </Stack>
  );
}
