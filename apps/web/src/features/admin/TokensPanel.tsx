import { allScopes, type CreatedApiToken, type Scope } from '@lifeline/contracts';
import {
  Alert,
  Button,
  Checkbox,
  CopyButton,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, problemText } from '../../lib/api.js';
import { formatTime } from '../../lib/format.js';

/** The signed-in admin's personal API tokens: a new one is shown once, any can be revoked. */
export function TokensPanel() {
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => api.tokens.list() });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['cases:read', 'cases:write']);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['tokens'] });
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
      <Table aria-label="API tokens">
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
          {(tokens.data ?? []).map((t) => (
            <Table.Tr key={t.id} aria-label={t.name}>
              <Table.Td>{t.name}</Table.Td>
              <Table.Td>{t.scopes.join(', ')}</Table.Td>
              <Table.Td>{formatTime(t.createdAt)}</Table.Td>
              <Table.Td>{t.lastUsedAt ? formatTime(t.lastUsedAt) : 'never'}</Table.Td>
              <Table.Td>
                <Button size="xs" color="red" variant="light" onClick={() => setRevoking(t)}>
                  Revoke
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
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
      <Modal
        opened={revoking !== null}
        onClose={() => setRevoking(null)}
        title={`Revoke “${revoking?.name}”?`}
      >
        <Stack>
          <Text size="sm">Scripts and CRMs using it stop working at once.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(null)}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={revoke.isPending}
              onClick={() => revoking && revoke.mutate(revoking.id)}
            >
              Revoke
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
