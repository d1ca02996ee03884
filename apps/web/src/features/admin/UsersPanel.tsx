import type { Group, Role, User } from '@lifeline/contracts';
import {
  Alert,
  Badge,
  Button,
  Modal,
  PasswordInput,
  Group as Row,
  Select,
  Stack,
  Table,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, problemText } from '../../lib/api.js';
import { keys } from '../../lib/query-keys.js';

function AddUserDialog({
  opened,
  onClose,
  groups,
}: {
  opened: boolean;
  onClose: () => void;
  groups: Group[];
}) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', email: '', password: '', role: 'agent' as Role, group: '' });
  const add = useMutation({
    mutationFn: () =>
      api.users.create({
        name: form.name,
        email: form.email,
        password: form.password,
        role: form.role,
        ...(form.group ? { defaultGroupId: form.group } : {}),
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.users });
      setForm({ name: '', email: '', password: '', role: 'agent', group: '' });
      onClose();
    },
  });
  const field = (key: 'name' | 'email' | 'password') => ({
    value: form[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => {
      const value = e.currentTarget.value;
      setForm((f) => ({ ...f, [key]: value }));
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Add user">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <Stack>
          {add.error && (
            <Alert color="red" variant="light" role="alert">
              {problemText(add.error)}
            </Alert>
          )}
          <TextInput label="Name" required {...field('name')} />
          <TextInput label="E-mail" type="email" required {...field('email')} />
          <PasswordInput
            label="Initial password"
            description="At least 10 characters"
            required
            {...field('password')}
          />
          <Select
            label="Role"
            data={[
              { value: 'agent', label: 'Agent' },
              { value: 'admin', label: 'Admin' },
            ]}
            value={form.role}
            onChange={(v) => setForm((f) => ({ ...f, role: (v ?? 'agent') as Role }))}
            allowDeselect={false}
          />
          <Select
            label="Default group"
            placeholder="The organisation's first group"
            clearable
            data={groups.map((g) => ({ value: g.id, label: g.name }))}
            value={form.group || null}
            onChange={(v) => setForm((f) => ({ ...f, group: v ?? '' }))}
          />
          <Row justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={add.isPending}>
              Add user
            </Button>
          </Row>
        </Stack>
      </form>
    </Modal>
  );
}

export function UsersPanel() {
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: keys.users, queryFn: () => api.users.list() });
  const groups = useQuery({ queryKey: keys.groups, queryFn: () => api.groups.list() });
  const [adding, setAdding] = useState(false);
  const update = useMutation({
    mutationFn: (v: { id: string; body: { role?: Role; active?: boolean } }) =>
      api.users.update(v.id, v.body),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: keys.users }),
  });
  const groupName = (id: string) => groups.data?.find((g) => g.id === id)?.name ?? '—';

  return (
    <Stack>
      <Row justify="flex-end">
        <Button onClick={() => setAdding(true)}>Add user</Button>
      </Row>
      {update.error && (
        <Alert color="red" variant="light" role="alert">
          {problemText(update.error)}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={720}>
        <Table aria-label="Users" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>E-mail</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Default group</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(users.data ?? []).map((u: User) => (
              <Table.Tr key={u.id} aria-label={u.name}>
                <Table.Td>{u.name}</Table.Td>
                <Table.Td>{u.email}</Table.Td>
                <Table.Td>
                  <Select
                    aria-label={`Role of ${u.name}`}
                    size="xs"
                    w={110}
                    data={[
                      { value: 'agent', label: 'Agent' },
                      { value: 'admin', label: 'Admin' },
                    ]}
                    value={u.role}
                    allowDeselect={false}
                    onChange={(v) =>
                      v && v !== u.role && update.mutate({ id: u.id, body: { role: v as Role } })
                    }
                  />
                </Table.Td>
                <Table.Td>{groupName(u.defaultGroupId)}</Table.Td>
                <Table.Td>
                  <Badge color={u.active ? 'green' : 'gray'} variant="light">
                    {u.active ? 'Active' : 'Deactivated'}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => update.mutate({ id: u.id, body: { active: !u.active } })}
                  >
                    {u.active ? 'Deactivate' : 'Reactivate'}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <AddUserDialog opened={adding} onClose={() => setAdding(false)} groups={groups.data ?? []} />
    </Stack>
  );
}
