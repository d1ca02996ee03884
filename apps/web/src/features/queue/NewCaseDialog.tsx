import type { Case, CaseType, CreateCaseRequest, Group, User } from '@lifeline/contracts';
import {
  Alert,
  Button,
  CopyButton,
  Modal,
  Group as Row,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConnectButton } from '../../components/ConnectButton.js';
import { api, problemText } from '../../lib/api.js';
import { keys } from '../../lib/query-keys.js';

interface Props {
  opened: boolean;
  onClose: () => void;
  groups: Group[];
  users: User[];
}

const blank = {
  name: '',
  description: '',
  type: 'remote_control' as CaseType,
  customerName: '',
  email: '',
  phone: '',
  waiting: '',
};

/** "New service case": name required, everything else optional; the group defaults to the agent's own. */
export function NewCaseDialog({ opened, onClose, groups, users }: Props) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState(blank);
  const [groupId, setGroupId] = useState<string | null>(null);
  const [assigneeId, setAssigneeId] = useState<string | null>(null);
  const [created, setCreated] = useState<Case | null>(null);
  const set = (key: keyof typeof blank) => (e: { currentTarget: { value: string } }) => {
    // Read now: the event's target is gone by the time React runs the updater.
    const value = e.currentTarget.value;
    setForm((f) => ({ ...f, [key]: value }));
  };

  const create = useMutation({
    mutationFn: () => {
      const customer = {
        ...(form.customerName.trim() ? { name: form.customerName.trim() } : {}),
        ...(form.email.trim() ? { email: form.email.trim() } : {}),
        ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
      };
      const body: CreateCaseRequest = {
        name: form.name,
        type: form.type,
        ...(form.description.trim() ? { description: form.description.trim() } : {}),
        ...(Object.keys(customer).length ? { customer } : {}),
        ...(groupId ? { groupId } : {}),
        ...(assigneeId ? { assigneeId } : {}),
        ...(form.waiting.trim() ? { waitingMessage: form.waiting.trim() } : {}),
      };
      return api.cases.create(body);
    },
    onSuccess: (c) => {
      setCreated(c);
      void queryClient.invalidateQueries({ queryKey: keys.cases.all });
    },
  });

  const close = () => {
    setForm(blank);
    setGroupId(null);
    setAssigneeId(null);
    setCreated(null);
    create.reset();
    onClose();
  };

  return (
    <Modal
      opened={opened}
      onClose={close}
      title={created ? 'Service case created' : 'New service case'}
      size="lg"
    >
      {created ? (
        <Stack>
          <Text>
            <strong>{created.name}</strong> has the session code <strong>{created.code}</strong>. Send the
            customer their link, or connect now.
          </Text>
          <TextInput label="Customer link" value={created.links.customer} readOnly />
          <Row justify="flex-end">
            <CopyButton value={created.links.customer}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? 'Copied' : 'Copy customer link'}
                </Button>
              )}
            </CopyButton>
            <ConnectButton href={created.links.agent} />
            <Button variant="light" onClick={close}>
              Done
            </Button>
          </Row>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack>
            {create.error && (
              <Alert color="red" variant="light" role="alert">
                {problemText(create.error)}
              </Alert>
            )}
            <TextInput
              label="Session name"
              required
              maxLength={200}
              value={form.name}
              onChange={set('name')}
              data-autofocus
            />
            <Textarea
              label="Description"
              description="What the customer needs help with"
              maxLength={4000}
              autosize
              minRows={2}
              value={form.description}
              onChange={set('description')}
            />
            <SegmentedControl
              aria-label="Session type"
              value={form.type}
              onChange={(v) => setForm((f) => ({ ...f, type: v as CaseType }))}
              data={[
                { value: 'remote_control', label: 'Remote control' },
                { value: 'ar', label: 'AR camera' },
              ]}
            />
            <Row grow>
              <TextInput label="Customer name" value={form.customerName} onChange={set('customerName')} />
              <TextInput label="Customer e-mail" type="email" value={form.email} onChange={set('email')} />
              <TextInput label="Customer phone" type="tel" value={form.phone} onChange={set('phone')} />
            </Row>
            <Row grow>
              <Select
                label="Group"
                placeholder="My default group"
                clearable
                data={groups.map((g) => ({ value: g.id, label: g.name }))}
                value={groupId}
                onChange={setGroupId}
              />
              <Select
                label="Assignee"
                placeholder="Unassigned"
                clearable
                searchable
                data={users.filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }))}
                value={assigneeId}
                onChange={setAssigneeId}
              />
            </Row>
            <Textarea
              label="Waiting message"
              description="What the customer reads in the waiting room"
              maxLength={1000}
              autosize
              minRows={2}
              value={form.waiting}
              onChange={set('waiting')}
            />
            <Row justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create
              </Button>
            </Row>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
