import type { ConnectorApp, CreatedConnectorApp } from '@lifeline/contracts';
import {
  Accordion,
  Alert,
  Button,
  Group,
  Modal,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { CopyField } from '../../components/CopyField.js';
import { api, problemText } from '../../lib/api.js';
import { formatTime } from '../../lib/format.js';
import { keys } from '../../lib/query-keys.js';

const lines = (text: string) =>
  text
    .split(/\s*[\n,]\s*/)
    .map((l) => l.trim())
    .filter(Boolean);

const crms = [
  { key: 'sapC4c', label: 'SAP C4C' },
  { key: 'salesforce', label: 'Salesforce' },
  { key: 'serviceNow', label: 'ServiceNow' },
] as const;

/** Ready-to-paste connector URLs with each CRM's placeholders (docs/CONNECTORS.md explains where they go). */
function ConnectorUrls({ app }: { app: ConnectorApp }) {
  return (
    <Tabs defaultValue="sapC4c">
      <Tabs.List aria-label="CRM">
        {crms.map((c) => (
          <Tabs.Tab key={c.key} value={c.key}>
            {c.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {crms.map((c) => (
        <Tabs.Panel key={c.key} value={c.key} pt="xs">
          <Stack gap="xs">
            <CopyField label={`${c.label} case page URL`} value={app.connectorUrls[c.key].case} />
            <CopyField label={`${c.label} agent desktop URL`} value={app.connectorUrls[c.key].desktop} />
          </Stack>
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}

/**
 * The app's name, redirect URIs and origins, changed where they are shown. A
 * refused change (an address that is not one) says why and changes nothing.
 */
function EditAppForm({ app, onDone }: { app: ConnectorApp; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(app.name);
  const [origins, setOrigins] = useState(app.allowedOrigins.join('\n'));
  const [redirects, setRedirects] = useState(app.redirectUris.join('\n'));
  const save = useMutation({
    mutationFn: () =>
      api.connectorApps.update(app.id, {
        name,
        allowedOrigins: lines(origins),
        redirectUris: lines(redirects),
      }),
    onSuccess: (changed) => {
      queryClient.setQueryData<ConnectorApp[]>(keys.connectorApps, (list) =>
        list?.map((a) => (a.id === changed.id ? changed : a)),
      );
      onDone();
    },
  });
  return (
    <form
      aria-label={`Edit ${app.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack gap="xs" maw={560}>
        <TextInput label="App name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Textarea
          label="Origins allowed to embed the pages"
          description="One per line"
          required
          autosize
          minRows={2}
          value={origins}
          onChange={(e) => setOrigins(e.currentTarget.value)}
        />
        <Textarea
          label="Redirect URIs"
          description="One per line; may be empty"
          autosize
          minRows={1}
          value={redirects}
          onChange={(e) => setRedirects(e.currentTarget.value)}
        />
        {save.error && (
          <Alert color="red" variant="light" role="alert" title="Not saved">
            {problemText(save.error)}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save changes
          </Button>
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Admins register CRM connector apps (OAuth clients): origins that may embed the pages, redirect URIs, secret. */
export function ConnectorAppsPanel() {
  const queryClient = useQueryClient();
  const apps = useQuery({ queryKey: keys.connectorApps, queryFn: () => api.connectorApps.list() });
  const [name, setName] = useState('');
  const [origins, setOrigins] = useState('');
  const [redirects, setRedirects] = useState('');
  const [created, setCreated] = useState<CreatedConnectorApp | null>(null);
  const [removing, setRemoving] = useState<ConnectorApp | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.connectorApps });
  const create = useMutation({
    mutationFn: () =>
      api.connectorApps.create({ name, allowedOrigins: lines(origins), redirectUris: lines(redirects) }),
    onSuccess: (app) => {
      setCreated(app);
      setName('');
      setOrigins('');
      setRedirects('');
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.connectorApps.delete(id),
    onSuccess: () => {
      setRemoving(null);
      refresh();
    },
  });

  return (
    <Stack>
      <Text size="sm" c="dimmed">
        A connector app lets a CRM embed Lifeline's connector pages. Agents sign in to Lifeline from the CRM
        and allow the app to act for them.
      </Text>
      <form
        aria-label="Register a connector app"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack gap="xs" maw={560}>
          <TextInput
            label="App name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Textarea
            label="Origins allowed to embed the pages"
            description="One per line, e.g. https://my123456.crm.ondemand.com"
            required
            autosize
            minRows={2}
            value={origins}
            onChange={(e) => setOrigins(e.currentTarget.value)}
          />
          <Textarea
            label="Redirect URIs"
            description="Optional, one per line: for the CRM's own server-side OAuth use with the client secret"
            autosize
            minRows={1}
            value={redirects}
            onChange={(e) => setRedirects(e.currentTarget.value)}
          />
          {create.error && (
            <Alert color="red" variant="light" role="alert">
              {problemText(create.error)}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={create.isPending}>
              Register app
            </Button>
          </Group>
        </Stack>
      </form>

      {apps.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No connector apps yet.
        </Text>
      )}
      <Accordion variant="separated" aria-label="Connector apps">
        {(apps.data ?? []).map((app) => (
          <Accordion.Item key={app.id} value={app.id}>
            <Accordion.Control>
              {app.name}{' '}
              <Text span size="xs" c="dimmed">
                {app.clientId} · {app.allowedOrigins.join(', ')}
              </Text>
            </Accordion.Control>
            <Accordion.Panel>
              <Stack gap="xs">
                <CopyField label="Client ID" value={app.clientId} />
                {editing === app.id ? (
                  <EditAppForm app={app} onDone={() => setEditing(null)} />
                ) : (
                  <Text size="sm">
                    Embeddable from: {app.allowedOrigins.join(', ')}. Redirect URIs:{' '}
                    {app.redirectUris.length > 0 ? app.redirectUris.join(', ') : 'none'}. Registered{' '}
                    {formatTime(app.createdAt)}
                    {app.updatedAt !== app.createdAt ? `, changed ${formatTime(app.updatedAt)}` : ''}.
                  </Text>
                )}
                <ConnectorUrls app={app} />
                <Group justify="flex-end">
                  {editing !== app.id && (
                    <Button variant="default" size="xs" onClick={() => setEditing(app.id)}>
                      Edit app
                    </Button>
                  )}
                  <Button color="red" variant="light" size="xs" onClick={() => setRemoving(app)}>
                    Delete app
                  </Button>
                </Group>
              </Stack>
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>

      <Modal
        opened={created !== null}
        onClose={() => setCreated(null)}
        title="Connector app registered"
        size="xl"
      >
        {created && (
          <Stack>
            <Alert variant="light" color="yellow">
              Copy the client secret now: it is shown only this once. The connector pages do not need it; the
              CRM's server side does, if it calls Lifeline for agents.
            </Alert>
            <CopyField label="Client ID" value={created.clientId} />
            <CopyField label="Client secret" value={created.clientSecret} />
            <Title order={3} size="h5">
              Connector URLs to paste into the CRM
            </Title>
            <ConnectorUrls app={created} />
            <Group justify="flex-end">
              <Button onClick={() => setCreated(null)}>Done</Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <ConfirmDialog
        opened={removing !== null}
        title={`Delete “${removing?.name}”?`}
        explanation="Its connector pages stop working and every agent signed in through it is signed out."
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate(removing.id)}
        onCancel={() => setRemoving(null)}
      />
    </Stack>
  );
}
