import { type ApiToken, allScopes, type CreatedApiToken, type Scope } from '@lifeline/contracts';
import {
  Alert,
  Button,
  Checkbox,
  CopyButton,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { api, problemText } from '../../lib/api.js';
import { formatTime } from '../../lib/format.js';
import { keys } from '../../lib/query-keys.js';

/**
 * The signed-in admin's personal API tokens (a new one is shown once, any can be revoked), and
 * every other user's, which an admin can revoke too.
 */
export function TokensPanel() {
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: keys.tokens, queryFn: () => api.tokens.list() });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['cases:read', 'cases:write']);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.tokens });
  const create = useMutation({
    mutationFn: () => api.tokens.create({ name, scopes: scopes as Scope[] }),
    onSuccess: (t) => {
      setCreated(t);
      setName('');
      refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.tokens.revoke(id),
    onSuccess: () => {
      setRevoking(null);
      refresh();
    },
  });

  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack gap="xs">
          <TextInput
            label="Token name"
            w={320}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
          />
          <Checkbox.Group label="Scopes" value={scopes} onChange={setScopes}>
            <Group mt={4}>
              {allScopes.map((s) => (
                <Checkbox key={s} value={s} label={s} />
              ))}
            </Group>
          </Checkbox.Group>
          {create.error && (
            <Alert color="red" variant="light" role="alert">
              {problemText(create.error)}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create token
            </Button>
          </Group>
        </Stack>
      </form>
      <TokenTable label="API tokens" tokens={tokens.data ?? []} onRevoke={setRevoking} />
      {tokens.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No tokens yet.
        </Text>
      )}

      <Modal opened={created !== null} onClose={() => setCreated(null)} title="Token created">
        <Stack>
          <Alert variant="light" color="yellow">
            Copy it now: it is shown only this once.
          </Alert>
          <TextInput label="Token" value={created?.token ?? ''} readOnly />
          <Group justify="flex-end">
            <CopyButton value={created?.token ?? ''}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? 'Copied' : 'Copy token'}
                </Button>
              )}
            </CopyButton>
            <Button onClick={() => setCreated(null)}>Done</Button>
          </Group>
        </Stack>
      </Modal>
      <RevokeDialog
        token={revoking}
        pending={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onRevoke={(id) => revoke.mutate(id)}
      />
      <UserTokens />
    </Stack>
  );
}

function RevokeDialog(props: {
  token: { id: string; name: string } | null;
  pending: boolean;
  error?: unknown;
  onCancel: () => void;
  onRevoke: (id: string) => void;
}) {
  const { token } = props;
  return (
    <ConfirmDialog
      opened={token !== null}
      title={`Revoke “${token?.name}”?`}
      explanation="Scripts and CRMs using it stop working at once."
      confirmLabel="Revoke"
      pending={props.pending}
      error={props.error}
      onConfirm={() => token && props.onRevoke(token.id)}
      onCancel={props.onCancel}
    />
  );
}

/** Any user's tokens, for the admin who must end access a person left behind (a CRM script, a lost laptop). */
function UserTokens() {
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: keys.users, queryFn: () => api.users.list() });
  const [userId, setUserId] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const user = users.data?.find((u) => u.id === userId);
  const tokens = useQuery({
    queryKey: keys.tokensOf(userId),
    queryFn: () => api.users.tokens(userId ?? ''),
    enabled: userId !== null,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.users.revokeToken(userId ?? '', id),
    onSuccess: () => {
      setRevoking(null);
      void queryClient.invalidateQueries({ queryKey: keys.tokens });
    },
  });

  return (
    <Stack gap="xs" mt="lg">
      <Title order={2} size="h4">
        Tokens of a user
      </Title>
      <Select
        label="User"
        placeholder="Choose a user…"
        w={320}
        searchable
        data={(users.data ?? []).map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))}
        value={userId}
        onChange={setUserId}
      />
      {user && (
        <TokenTable label={`Tokens of ${user.name}`} tokens={tokens.data ?? []} onRevoke={setRevoking} />
      )}
      {user && tokens.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          {user.name} has no tokens.
        </Text>
      )}
      {tokens.error && (
        <Alert color="red" variant="light" role="alert">
          {problemText(tokens.error)}
        </Alert>
      )}
      <RevokeDialog
        token={revoking}
        pending={revoke.isPending}
        error={revoke.error}
        onCancel={() => setRevoking(null)}
        onRevoke={(id) => revoke.mutate(id)}
      />
    </Stack>
  );
}

/** Personal API tokens, one row each, with "Revoke": the admin's own and another user's. */
function TokenTable({
  label,
  tokens,
  onRevoke,
}: {
  label: string;
  tokens: ApiToken[];
  onRevoke: (token: ApiToken) => void;
}) {
  return (
    <Table aria-label={label}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Scopes</Table.Th>
          <Table.Th>Created</Table.Th>
          <Table.Th>Last used</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {tokens.map((t) => (
          <Table.Tr key={t.id} aria-label={t.name}>
            <Table.Td>{t.name}</Table.Td>
            <Table.Td>{t.scopes.join(', ')}</Table.Td>
            <Table.Td>{formatTime(t.createdAt)}</Table.Td>
            <Table.Td>{t.lastUsedAt ? formatTime(t.lastUsedAt) : 'never'}</Table.Td>
            <Table.Td>
              <Button size="xs" color="red" variant="light" onClick={() => onRevoke(t)}>
                Revoke
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
