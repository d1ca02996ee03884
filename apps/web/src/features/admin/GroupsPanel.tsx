import {
  Alert,
  Badge,
  Button,
  CloseButton,
  Paper,
  Group as Row,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, problemText } from '../../lib/api.js';
import { keys } from '../../lib/query-keys.js';

export function GroupsPanel() {
  const queryClient = useQueryClient();
  const groups = useQuery({ queryKey: keys.groups, queryFn: () => api.groups.list() });
  const users = useQuery({ queryKey: keys.users, queryFn: () => api.users.list() });
  const [name, setName] = useState('');
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.groups });
  const create = useMutation({
    mutationFn: () => api.groups.create(name),
    onSuccess: () => {
      setName('');
      refresh();
    },
  });
  const membership = useMutation({
    mutationFn: (v: { groupId: string; userId: string; add: boolean }) =>
      v.add ? api.groups.addMember(v.groupId, v.userId) : api.groups.removeMember(v.groupId, v.userId),
    onSettled: refresh,
  });
  const userName = (id: string) => users.data?.find((u) => u.id === id)?.name ?? id;

  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Row align="flex-end">
          <TextInput
            label="New group"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
          />
          <Button type="submit" loading={create.isPending}>
            Add group
          </Button>
        </Row>
      </form>
      {(create.error ?? membership.error) && (
        <Alert color="red" variant="light" role="alert">
          {problemText(create.error ?? membership.error)}
        </Alert>
      )}
      {(groups.data ?? []).map((g) => {
        const others = (users.data ?? []).filter((u) => !g.memberIds.includes(u.id));
        return (
          <Paper key={g.id} withBorder p="sm" component="section" aria-label={`Group ${g.name}`}>
            <Title order={3} size="h5">
              {g.name}
            </Title>
            <Row gap="xs" my="xs">
              {g.memberIds.length === 0 && (
                <Text size="sm" c="dimmed">
                  No members.
                </Text>
              )}
              {g.memberIds.map((id) => (
                <Badge
                  key={id}
                  variant="light"
                  color="gray"
                  size="lg"
                  tt="none"
                  rightSection={
                    <CloseButton
                      size="xs"
                      aria-label={`Remove ${userName(id)} from ${g.name}`}
                      onClick={() => membership.mutate({ groupId: g.id, userId: id, add: false })}
                    />
                  }
                >
                  {userName(id)}
                </Badge>
              ))}
            </Row>
            {others.length > 0 && (
              <Select
                aria-label={`Add a member to ${g.name}`}
                placeholder="Add a member…"
                size="xs"
                w={240}
                data={others.map((u) => ({ value: u.id, label: u.name }))}
                value={null}
                onChange={(v) => v && membership.mutate({ groupId: g.id, userId: v, add: true })}
              />
            )}
          </Paper>
        );
      })}
    </Stack>
  );
}
