import {
  type CaseType,
  endpoints,
  type FieldMode,
  logoProblems,
  MAX_LOGO_BYTES,
  type ModuleFields,
  pathOf,
  type QuickSupportModule,
  sniffImage,
} from '@lifeline/contracts';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  ColorInput,
  CopyButton,
  FileInput,
  Grid,
  Group,
  List,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { IconBrandApple, IconBrandUbuntu, IconBrandWindows } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { CenteredCardPreview } from '../../components/CenteredCard.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { api, problemText } from '../../lib/api.js';
import { keys } from '../../lib/query-keys.js';
import { useMe } from '../../lib/useMe.js';
import { BrandedArea } from '../modules/branding.js';
import { ModuleForm } from '../modules/ModuleForm.js';

interface Draft {
  title: string;
  slug: string;
  welcomeText: string;
  accentColor: string;
  fields: ModuleFields;
  caseType: CaseType;
  groupId: string | null;
  waitingMessage: string;
  enabled: boolean;
}

const fieldModes: { value: FieldMode; label: string }[] = [
  { value: 'off', label: "Don't ask" },
  { value: 'optional', label: 'Optional' },
  { value: 'required', label: 'Required' },
];
const fieldLabels: Record<keyof ModuleFields, string> = {
  name: "Customer's name",
  email: "Customer's e-mail",
  description: 'Problem description',
};

/** A page address from a title: what an admin would type, until they type their own. */
const slugFrom = (title: string) =>
  title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);

const draftOf = (m: QuickSupportModule | null): Draft => ({
  title: m?.title ?? '',
  slug: m?.slug ?? '',
  welcomeText: m?.welcomeText ?? '',
  accentColor: m?.accentColor ?? '#1c7ed6',
  fields: m?.fields ?? { name: 'required', email: 'optional', description: 'required' },
  caseType: m?.caseType ?? 'remote_control',
  groupId: m?.groupId ?? null,
  waitingMessage: m?.waitingMessage ?? '',
  enabled: m?.enabled ?? true,
});

const sosDownloads = [
  {
    platform: 'windows',
    label: 'Windows (.url)',
    icon: IconBrandWindows,
    install: 'Save the file on the desktop; a double-click opens the help page.',
  },
  {
    platform: 'macos',
    label: 'macOS (.webloc)',
    icon: IconBrandApple,
    install: 'Drag the file to the desktop or the Dock; a double-click opens the help page.',
  },
  {
    platform: 'linux',
    label: 'Linux (.desktop)',
    icon: IconBrandUbuntu,
    install:
      'Save it in ~/Desktop, then right-click it and choose "Allow Launching" (GNOME) or make it executable (chmod +x). QuickSupport can also install it: --install-sos with the page link.',
  },
] as const;

function ModuleLinks({ module }: { module: QuickSupportModule }) {
  return (
    <Paper withBorder p="md" component="section" aria-label="Public link and SOS button">
      <Stack gap="sm">
        <Title order={3} size="h4">
          Public link
        </Title>
        <Group gap="xs">
          <Anchor href={module.links.page} target="_blank" rel="noopener">
            {module.links.page}
          </Anchor>
          <CopyButton value={module.links.page}>
            {({ copied, copy }) => (
              <Button size="xs" variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy link'}
              </Button>
            )}
          </CopyButton>
        </Group>
        {!module.enabled && (
          <Text size="sm" c="orange">
            The module is switched off: the page tells customers it is not available.
          </Text>
        )}
        <Title order={3} size="h4">
          SOS button
        </Title>
        <Text size="sm">
          A desktop shortcut that opens this page as an SOS request. Hand it to your customers or install it
          on their computers:
        </Text>
        <List size="sm" spacing="xs">
          {sosDownloads.map(({ platform, label, icon: Icon, install }) => (
            <List.Item key={platform} icon={<Icon size={18} aria-hidden />}>
              <Anchor
                href={pathOf(endpoints.quickSupport.sosShortcut, { slug: module.slug, platform })}
                download
              >
                {label}
              </Anchor>
              <Text size="xs" c="dimmed">
                {install}
              </Text>
            </List.Item>
          ))}
        </List>
      </Stack>
    </Paper>
  );
}

function ModuleEditor({ module, onDone }: { module: QuickSupportModule | null; onDone: () => void }) {
  const queryClient = useQueryClient();
  const me = useMe();
  const groups = useQuery({ queryKey: keys.groups, queryFn: () => api.groups.list() });
  const [saved, setSaved] = useState<QuickSupportModule | null>(module);
  const [draft, setDraft] = useState<Draft>(() => draftOf(module));
  const [slugEdited, setSlugEdited] = useState(module !== null);
  const [logo, setLogo] = useState<File | null>(null);
  const [logoError, setLogoError] = useState<string | null>(null);
  const logoPreview = useMemo(() => (logo ? URL.createObjectURL(logo) : null), [logo]);
  useEffect(() => () => (logoPreview ? URL.revokeObjectURL(logoPreview) : undefined), [logoPreview]);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const save = useMutation({
    mutationFn: async () => {
      const body = {
        title: draft.title,
        slug: draft.slug,
        accentColor: draft.accentColor,
        fields: draft.fields,
        caseType: draft.caseType,
        enabled: draft.enabled,
        ...(draft.groupId ? { groupId: draft.groupId } : {}),
      };
      let result = saved
        ? await api.modules.update(saved.id, {
            ...body,
            welcomeText: draft.welcomeText || null,
            waitingMessage: draft.waitingMessage || null,
          })
        : await api.modules.create({
            ...body,
            ...(draft.welcomeText ? { welcomeText: draft.welcomeText } : {}),
            ...(draft.waitingMessage ? { waitingMessage: draft.waitingMessage } : {}),
          });
      setSaved(result);
      if (logo) {
        result = await api.modules.uploadLogo(result.id, logo, logo.type || 'application/octet-stream');
        setSaved(result);
        setLogo(null);
      }
      return result;
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: keys.modules }),
  });
  const [confirmDelete, setConfirmDelete] = useState(false);
  const remove = useMutation({
    mutationFn: (id: string) => api.modules.delete(id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.modules });
      onDone();
    },
  });
  const removeLogo = useMutation({
    mutationFn: (id: string) => api.modules.removeLogo(id),
    onSuccess: (m) => {
      setSaved(m);
      void queryClient.invalidateQueries({ queryKey: keys.modules });
    },
  });

  // Checked here as the server checks it, so a refused logo never leaves a module saved without it.
  const pickLogo = async (file: File | null) => {
    setLogoError(null);
    setLogo(null);
    if (!file) return;
    if (file.size > MAX_LOGO_BYTES) return setLogoError(logoProblems.tooLarge(file.size));
    const type = sniffImage(new Uint8Array(await file.slice(0, 1024).arrayBuffer()));
    if (type === 'svg') return setLogoError(logoProblems.svg);
    if (!type) return setLogoError(logoProblems.unknown);
    setLogo(file);
  };

  const preview = {
    title: draft.title || 'Your module title',
    welcomeText: draft.welcomeText || null,
    fields: draft.fields,
    caseType: draft.caseType,
    organization: { name: me.data?.organization.name ?? '' },
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h3">
          {saved ? `Module "${saved.title}"` : 'New QuickSupport module'}
        </Title>
        <Button variant="default" onClick={onDone}>
          Back to modules
        </Button>
      </Group>
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <form
            aria-label="Module settings"
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate();
            }}
          >
            <Stack gap="sm">
              <TextInput
                label="Title"
                required
                maxLength={100}
                value={draft.title}
                onChange={(e) => {
                  const title = e.currentTarget.value;
                  setDraft((d) => ({ ...d, title, slug: slugEdited ? d.slug : slugFrom(title) }));
                }}
              />
              <TextInput
                label="Page address"
                description="Customers open /qs/ followed by this."
                leftSection={<Text size="xs">/qs/</Text>}
                leftSectionWidth={40}
                required
                maxLength={64}
                value={draft.slug}
                onChange={(e) => {
                  const slug = e.currentTarget.value;
                  setSlugEdited(true);
                  set('slug', slug);
                }}
              />
              <Group align="flex-end" gap="xs">
                <FileInput
                  label="Logo"
                  description="PNG, JPEG, GIF or WebP, at most 256 KB"
                  accept="image/png,image/jpeg,image/gif,image/webp"
                  clearable
                  value={logo}
                  onChange={(file) => void pickLogo(file)}
                  error={logoError}
                  style={{ flex: 1 }}
                />
                {saved?.logoUrl && !logo && (
                  <Button
                    variant="subtle"
                    color="red"
                    loading={removeLogo.isPending}
                    onClick={() => removeLogo.mutate(saved.id)}
                  >
                    Remove logo
                  </Button>
                )}
              </Group>
              <ColorInput
                label="Accent colour"
                format="hex"
                value={draft.accentColor}
                onChange={(v) => set('accentColor', v)}
                swatches={['#1c7ed6', '#2f9e44', '#e8590c', '#c2255c', '#6741d9', '#343a40']}
              />
              <Textarea
                label="Welcome text"
                maxLength={2000}
                autosize
                minRows={2}
                value={draft.welcomeText}
                onChange={(e) => set('welcomeText', e.currentTarget.value)}
              />
              {(Object.keys(fieldLabels) as (keyof ModuleFields)[]).map((field) => (
                <Select
                  key={field}
                  label={fieldLabels[field]}
                  data={fieldModes}
                  allowDeselect={false}
                  value={draft.fields[field]}
                  onChange={(v) => v && set('fields', { ...draft.fields, [field]: v as FieldMode })}
                />
              ))}
              <Select
                label="Session type"
                data={[
                  { value: 'remote_control', label: 'Remote control (screen)' },
                  { value: 'ar', label: 'AR (camera)' },
                ]}
                allowDeselect={false}
                value={draft.caseType}
                onChange={(v) => v && set('caseType', v as CaseType)}
              />
              <Select
                label="Target group"
                placeholder="Your default group"
                data={(groups.data ?? []).map((g) => ({ value: g.id, label: g.name }))}
                value={draft.groupId}
                onChange={(v) => set('groupId', v)}
              />
              <Textarea
                label="Waiting message"
                description="Shown to the customer until an agent joins."
                maxLength={1000}
                autosize
                minRows={2}
                value={draft.waitingMessage}
                onChange={(e) => set('waitingMessage', e.currentTarget.value)}
              />
              <Switch
                label="Enabled"
                checked={draft.enabled}
                onChange={(e) => set('enabled', e.currentTarget.checked)}
              />
              {save.error && (
                <Alert color="red" variant="light" role="alert">
                  {problemText(save.error)}
                </Alert>
              )}
              {save.isSuccess && !save.isPending && (
                <Alert color="green" variant="light" role="status">
                  Saved.
                </Alert>
              )}
              <Group justify="space-between">
                <Button type="submit" loading={save.isPending}>
                  Save module
                </Button>
                {saved && (
                  <Button variant="subtle" color="red" onClick={() => setConfirmDelete(true)}>
                    Delete module
                  </Button>
                )}
              </Group>
            </Stack>
          </form>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack>
            <Paper withBorder component="section" aria-label="Live preview" radius="md">
              <Text size="xs" c="dimmed" px="md" pt="xs">
                Live preview
              </Text>
              <BrandedArea
                branding={{
                  title: preview.title,
                  accentColor: /^#[0-9a-f]{6}$/i.test(draft.accentColor) ? draft.accentColor : '#1c7ed6',
                  logoUrl: logoPreview ?? saved?.logoUrl ?? null,
                }}
              >
                <CenteredCardPreview>
                  <ModuleForm module={preview} />
                </CenteredCardPreview>
              </BrandedArea>
            </Paper>
            {saved && <ModuleLinks module={saved} />}
          </Stack>
        </Grid.Col>
      </Grid>
      <ConfirmDialog
        opened={confirmDelete}
        title={`Delete the module "${saved?.title ?? ''}"?`}
        explanation="Its page and SOS shortcuts stop working at once. Cases already opened through it stay in the queue."
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => saved && remove.mutate(saved.id)}
        onCancel={() => setConfirmDelete(false)}
      />
    </Stack>
  );
}

/** Admins design QuickSupport modules: branded pages where customers open cases themselves. */
export function ModulesPanel() {
  const modules = useQuery({ queryKey: keys.modules, queryFn: () => api.modules.list() });
  const [editing, setEditing] = useState<QuickSupportModule | 'new' | null>(null);

  if (editing) {
    return <ModuleEditor module={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />;
  }
  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Customers ask for help on a module's page, or with its SOS button; the case appears in the queue.
        </Text>
        <Button onClick={() => setEditing('new')}>New module</Button>
      </Group>
      {modules.error && (
        <Alert color="red" variant="light" role="alert">
          {problemText(modules.error)}
        </Alert>
      )}
      <Table aria-label="QuickSupport modules">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Title</Table.Th>
            <Table.Th>Page</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(modules.data ?? []).map((m) => (
            <Table.Tr key={m.id} aria-label={m.title}>
              <Table.Td>{m.title}</Table.Td>
              <Table.Td>
                <Anchor href={m.links.page} target="_blank" rel="noopener" size="sm">
                  /qs/{m.slug}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Badge color={m.enabled ? 'green' : 'gray'} variant="light">
                  {m.enabled ? 'Enabled' : 'Disabled'}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Button size="xs" variant="light" onClick={() => setEditing(m)}>
                  Edit
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {modules.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No modules yet.
        </Text>
      )}
    </Stack>
  );
}
