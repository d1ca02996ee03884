import {
  type Case,
  type CaseStatus,
  CLOSING_NOTE_MAX,
  type Group as GroupType,
  type Me,
  type UpdateCaseRequest,
  type User,
} from '@lifeline/contracts';
import { Alert, Badge, Button, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { api, problemText } from '../../lib/api.js';
import { statusColors, statusLabels } from '../../lib/format.js';
import { keys } from '../../lib/query-keys.js';

const createdBy = (c: Case, me: Me) => c.createdBy.type === 'user' && c.createdBy.id === me.user.id;

/** SPEC §3, as the server checks it: offering "Close" to anyone else only ends in a refusal. */
export const mayEnd = (c: Case, me: Me | undefined) =>
  !!me && (me.user.role === 'admin' || c.assigneeId === me.user.id || createdBy(c, me));

/** Deleting follows who the case belongs to from its creation (docs/SECURITY.md): its creator or an admin. */
export const mayDelete = (c: Case, me: Me | undefined) =>
  !!me && (me.user.role === 'admin' || createdBy(c, me));

export const isEnded = (c: Case) => c.status === 'closed' || c.status === 'expired';

/** Its whole label, whatever the column's width: "In progress" cut to "In pro…" says nothing. */
export function StatusBadge({ status }: { status: CaseStatus }) {
  return (
    <Badge
      color={statusColors[status]}
      variant="light"
      miw="max-content"
      styles={{ label: { overflow: 'visible', textOverflow: 'clip' } }}
    >
      {statusLabels[status]}
    </Badge>
  );
}

function ErrorAlert({ error }: { error: unknown }) {
  return error ? (
    <Alert color="red" variant="light" role="alert">
      {problemText(error)}
    </Alert>
  ) : null;
}

/** The case's own data and every list that may show it are stale after any action on it. */
function useRefreshAfter() {
  const queryClient = useQueryClient();
  return (c: Case | null) => {
    if (c) queryClient.setQueryData(keys.case(c.code), c);
    void queryClient.invalidateQueries({ queryKey: keys.cases.all });
  };
}

export function AssignDialog(props: { target: Case | null; users: User[]; onDone: () => void }) {
  const refresh = useRefreshAfter();
  const [value, setValue] = useState<string | null>(null);
  const assign = useMutation({
    mutationFn: (v: { code: string; assigneeId: string | null }) =>
      api.cases.update(v.code, { assigneeId: v.assigneeId }),
    onSuccess: (c) => {
      refresh(c);
      props.onDone();
    },
  });
  const { reset } = assign;
  useEffect(() => {
    setValue(props.target?.assigneeId ?? null);
    reset();
  }, [props.target, reset]);
  return (
    <Modal
      opened={props.target !== null}
      onClose={props.onDone}
      title={`Assign ${props.target?.code}`}
      centered
    >
      <Stack>
        <Select
          label="Assignee"
          placeholder="Unassigned"
          clearable
          searchable
          data={props.users.filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }))}
          value={value}
          onChange={setValue}
        />
        <ErrorAlert error={assign.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onDone}>
            Cancel
          </Button>
          <Button
            loading={assign.isPending}
            onClick={() => props.target && assign.mutate({ code: props.target.code, assigneeId: value })}
          >
            Assign
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** A destructive action on one case, confirmed in a dialog that shows the server's refusal, if any. */
function ConfirmCaseDialog<T>(props: {
  target: Case | null;
  verb: string;
  explanation: string;
  action: (code: string) => Promise<T>;
  onCancel: () => void;
  onDone: (result: T, code: string) => void;
  children?: ReactNode;
}) {
  const mutation = useMutation({ mutationFn: props.action, onSuccess: props.onDone });
  const { reset } = mutation;
  useEffect(() => {
    if (props.target) reset();
  }, [props.target, reset]);
  return (
    <ConfirmDialog
      opened={props.target !== null}
      title={`${props.verb} ${props.target?.code ?? ''}?`}
      explanation={props.explanation}
      confirmLabel={props.verb === 'Close' ? 'Close case' : props.verb}
      pending={mutation.isPending}
      error={mutation.error}
      onConfirm={() => props.target && mutation.mutate(props.target.code)}
      onCancel={props.onCancel}
    >
      {props.children}
    </ConfirmDialog>
  );
}

export function CloseCaseDialog(props: {
  target: Case | null;
  onCancel: () => void;
  onClosed: (c: Case) => void;
}) {
  const refresh = useRefreshAfter();
  const [note, setNote] = useState('');
  useEffect(() => {
    if (props.target) setNote('');
  }, [props.target]);
  return (
    <ConfirmCaseDialog
      target={props.target}
      verb="Close"
      explanation="The customer is disconnected and their link and code stop working."
      action={(code) => api.cases.close(code, note.trim() ? { note: note.trim() } : undefined)}
      onCancel={props.onCancel}
      onDone={(c) => {
        refresh(c);
        props.onClosed(c);
      }}
    >
      <Textarea
        label="Closing note"
        description="What was done; kept with the chat transcript as the case's outcome"
        value={note}
        maxLength={CLOSING_NOTE_MAX}
        autosize
        minRows={2}
        onChange={(e) => setNote(e.currentTarget.value)}
      />
    </ConfirmCaseDialog>
  );
}

export function DeleteCaseDialog(props: {
  target: Case | null;
  onCancel: () => void;
  onDeleted: () => void;
}) {
  const queryClient = useQueryClient();
  return (
    <ConfirmCaseDialog
      target={props.target}
      verb="Delete"
      explanation="Its link and code stop working, a connected customer is disconnected, and its audit trail is removed. This cannot be undone."
      action={(code) => api.cases.delete(code)}
      onCancel={props.onCancel}
      onDone={(_, code) => {
        queryClient.removeQueries({ queryKey: keys.case(code) });
        void queryClient.invalidateQueries({ queryKey: keys.cases.all });
        props.onDeleted();
      }}
    />
  );
}

const text = (v: string | null | undefined) => v ?? '';
/** An emptied optional field is cleared (null), an unchanged one is not sent. */
function changed(before: string | null, after: string): string | null | undefined {
  const next = after.trim() || null;
  return next === before ? undefined : next;
}

/** "Edit": name, description, waiting message, group and customer, sending only what changed. */
export function EditCaseDialog(props: { target: Case | null; groups: GroupType[]; onDone: () => void }) {
  const refresh = useRefreshAfter();
  const [form, setForm] = useState({
    name: '',
    description: '',
    waiting: '',
    customerName: '',
    email: '',
    phone: '',
  });
  const [groupId, setGroupId] = useState<string | null>(null);
  const { target } = props;
  const save = useMutation({
    mutationFn: (c: Case) => {
      const customer = {
        name: changed(c.customer.name, form.customerName),
        email: changed(c.customer.email, form.email),
        phone: changed(c.customer.phone, form.phone),
      };
      const customerPatch = Object.fromEntries(Object.entries(customer).filter(([, v]) => v !== undefined));
      const body: UpdateCaseRequest = {
        ...(form.name.trim() !== c.name ? { name: form.name } : {}),
        ...(changed(c.description, form.description) !== undefined
          ? { description: changed(c.description, form.description) }
          : {}),
        ...(changed(c.waitingMessage, form.waiting) !== undefined
          ? { waitingMessage: changed(c.waitingMessage, form.waiting) }
          : {}),
        ...(groupId && groupId !== c.groupId ? { groupId } : {}),
        ...(Object.keys(customerPatch).length ? { customer: customerPatch } : {}),
      };
      return Object.keys(body).length ? api.cases.update(c.code, body) : Promise.resolve(c);
    },
    onSuccess: (c) => {
      refresh(c);
      props.onDone();
    },
  });
  const { reset } = save;
  useEffect(() => {
    if (!target) return;
    setForm({
      name: target.name,
      description: text(target.description),
      waiting: text(target.waitingMessage),
      customerName: text(target.customer.name),
      email: text(target.customer.email),
      phone: text(target.customer.phone),
    });
    setGroupId(target.groupId);
    reset();
  }, [target, reset]);
  const set = (key: keyof typeof form) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setForm((f) => ({ ...f, [key]: value }));
  };

  return (
    <Modal opened={target !== null} onClose={props.onDone} title={`Edit ${target?.code}`} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (target) save.mutate(target);
        }}
      >
        <Stack>
          <ErrorAlert error={save.error} />
          <TextInput label="Session name" required maxLength={200} value={form.name} onChange={set('name')} />
          <Textarea
            label="Description"
            autosize
            minRows={2}
            maxLength={4000}
            value={form.description}
            onChange={set('description')}
          />
          <Group grow>
            <TextInput label="Customer name" value={form.customerName} onChange={set('customerName')} />
            <TextInput label="Customer e-mail" type="email" value={form.email} onChange={set('email')} />
            <TextInput label="Customer phone" type="tel" value={form.phone} onChange={set('phone')} />
          </Group>
          <Select
            label="Group"
            data={props.groups.map((g) => ({ value: g.id, label: g.name }))}
            value={groupId}
            onChange={setGroupId}
          />
          <Textarea
            label="Waiting message"
            description="What the customer reads in the waiting room"
            autosize
            minRows={2}
            maxLength={1000}
            value={form.waiting}
            onChange={set('waiting')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onDone}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
