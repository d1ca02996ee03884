import { Alert, Badge, Button, FileButton, Group, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { IconDownload, IconFileUpload, IconHandFinger } from '@tabler/icons-react';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { formatBytes } from '../../lib/format.js';
import { FileLink, type FileLinkSnapshot, FileTooLargeError, type Transfer } from './file-transfer.js';

/**
 * The `files` channels of one page, by the other side's key (the agent's id on
 * the customer's page, one key on the agent's). A new channel for the same
 * key (a new connection) gets a new link; the old one stays listed while it
 * holds something to show, so a received file can still be saved.
 * `onSettled` hears of each transfer once it settled (the agent's page reports it).
 */
export function useFileLinks(maxBytes: number | undefined, onSettled?: (t: Transfer) => void) {
  const links = useRef(new Map<string, FileLink[]>());
  const [, setVersion] = useState(0);
  const max = useRef(maxBytes);
  max.current = maxBytes;
  const settled = useRef(onSettled);
  settled.current = onSettled;

  const attach = useCallback((key: string, channel: RTCDataChannel | null) => {
    const list = links.current.get(key) ?? [];
    const current = list.at(-1);
    if (current && current.channel === channel) return;
    // The connection behind the old channel is gone, whether or not the channel said so.
    for (const link of list) link.close();
    const kept = list.filter((l) => l.getSnapshot().transfers.some((t) => t.url));
    if (channel && max.current) kept.push(new FileLink(channel, max.current, (t) => settled.current?.(t)));
    links.current.set(key, kept);
    setVersion((v) => v + 1);
  }, []);

  useEffect(
    () => () => {
      for (const list of links.current.values()) for (const link of list) link.dispose();
    },
    [],
  );

  // Read at render: `attach` bumps the version, which re-renders the page that owns the links.
  const linksOf = (key: string): readonly FileLink[] => links.current.get(key) ?? [];
  return { attach, linksOf };
}

const noLinks: FileLinkSnapshot = { open: false, transfers: [], requests: [] };
const subscribeNone = () => () => {};

/** Re-renders on every change of `link` (progress at most every 100 ms). */
function useLink(link: FileLink | undefined): FileLinkSnapshot {
  return useSyncExternalStore(link?.subscribe ?? subscribeNone, link?.getSnapshot ?? (() => noLinks));
}

/**
 * Offers and requests waiting for this page's answer on any of `links`: a layout that keeps the
 * files panel put away (the phone's camera screen) shows the count on its button.
 */
export function useUnansweredFiles(links: readonly FileLink[]): number {
  const subscribe = useCallback(
    (listener: () => void) => {
      const stops = links.map((l) => l.subscribe(listener));
      return () => {
        for (const stop of stops) stop();
      };
    },
    [links],
  );
  return useSyncExternalStore(subscribe, () =>
    links.reduce((n, l) => {
      const { transfers, requests } = l.getSnapshot();
      return (
        n +
        transfers.filter((t) => t.direction === 'in' && t.state === 'offered').length +
        requests.filter((r) => r.direction === 'in' && r.state === 'open').length
      );
    }, 0),
  );
}

function stateText(t: Transfer, peer: string): string {
  const out = t.direction === 'out';
  switch (t.state) {
    case 'offered':
      return out ? `Waiting for ${peer} to accept…` : `${peer} wants to send you this file`;
    case 'moving':
      return out ? 'Sending…' : 'Receiving…';
    case 'sent':
      return 'Sent, waiting for confirmation…';
    case 'done':
      return out ? `${peer} received it` : 'Received';
    case 'declined':
      return out ? `${peer} declined` : 'You declined';
    case 'too-large':
      return 'Refused: over the size limit';
    case 'cancelled':
      return t.cancelledBy === 'me' ? 'You cancelled' : `${peer} cancelled`;
    case 'failed':
      return 'Failed: the connection was lost';
  }
}

function TransferRow({ t, link, peer }: { t: Transfer; link: FileLink; peer: string }) {
  const percent = t.size === 0 ? 100 : Math.floor((t.bytes / t.size) * 100);
  const under = t.state === 'offered' || t.state === 'moving' || t.state === 'sent';
  return (
    <Paper
      withBorder
      p="xs"
      role="group"
      aria-label={`${t.direction === 'out' ? 'Sending' : 'Receiving'} ${t.name}`}
    >
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
          {t.name}
        </Text>
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {formatBytes(t.size)}
        </Text>
      </Group>
      {(t.state === 'moving' || t.state === 'sent' || t.bytes > 0) && (
        <Progress
          mt={4}
          value={percent}
          aria-label={`${t.name} progress`}
          color={t.state === 'cancelled' || t.state === 'failed' ? 'gray' : undefined}
          animated={t.state === 'moving'}
        />
      )}
      <Group justify="space-between" mt={4} gap="xs">
        <Text size="xs" c={t.state === 'done' ? 'green.8' : 'dimmed'} role="status">
          {stateText(t, peer)}
          {t.state === 'moving' && ` ${formatBytes(t.bytes)} of ${formatBytes(t.size)}`}
        </Text>
        <Group gap={6}>
          {t.direction === 'in' && t.state === 'offered' && (
            <>
              <Button size="compact-sm" variant="default" onClick={() => link.decline(t.id)}>
                Decline
              </Button>
              <Button size="compact-sm" onClick={() => link.accept(t.id)}>
                Accept
              </Button>
            </>
          )}
          {under && !(t.direction === 'in' && t.state === 'offered') && (
            <Button size="compact-sm" variant="default" color="red" onClick={() => link.cancel(t.id)}>
              Cancel
            </Button>
          )}
          {t.url && (
            <Button
              size="compact-sm"
              component="a"
              href={t.url}
              download={t.name}
              leftSection={<IconDownload size={14} aria-hidden />}
            >
              Save
            </Button>
          )}
        </Group>
      </Group>
    </Paper>
  );
}

/** One row per transfer, for every link of one peer (older connections' received files included). */
function Transfers({ links, peer }: { links: readonly FileLink[]; peer: string }) {
  return (
    <>
      {links.map((link, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: links are only ever appended or dropped from the front
        <LinkTransfers key={i} link={link} peer={peer} />
      ))}
    </>
  );
}

function LinkTransfers({ link, peer }: { link: FileLink; peer: string }) {
  const { transfers } = useLink(link);
  return (
    <>
      {transfers.map((t) => (
        <TransferRow key={t.id} t={t} link={link} peer={peer} />
      ))}
    </>
  );
}

/**
 * Files between the agent and one customer (agent) or one agent (customer):
 * send, ask for one (agent), answer a request (customer), accept or decline,
 * progress, cancel, save.
 */
export function FilesPanel({
  me,
  peer,
  links,
  unavailable,
}: {
  me: 'agent' | 'customer';
  /** The other side's name, as this page calls them. */
  peer: string;
  links: readonly FileLink[];
  /** Why nothing can be exchanged now (no consent yet, not connected); null when it can. */
  unavailable?: string | null;
}) {
  const link = links.at(-1);
  const snapshot = useLink(link);
  const [error, setError] = useState<string | null>(null);
  const ready = snapshot.open && !unavailable;

  const send = (file: File | null, replyTo?: string) => {
    if (!file || !link) return;
    setError(null);
    try {
      link.send(file, replyTo);
    } catch (err) {
      if (err instanceof FileTooLargeError) setError(err.message);
      else throw err;
    }
  };

  const asked = snapshot.requests.filter((r) => r.direction === 'in' && r.state === 'open');
  const mine = snapshot.requests.filter((r) => r.direction === 'out').at(-1);
  const hasTransfers = links.some((l) => l.getSnapshot().transfers.length > 0);

  return (
    <Paper
      withBorder
      p="sm"
      component="section"
      aria-label={me === 'customer' ? `Files with ${peer}` : 'Files'}
    >
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          {me === 'customer' ? `Files with ${peer}` : 'Files'}
        </Title>
        <Text size="xs" c="dimmed">
          up to {formatBytes(link?.maxBytes ?? 0)}
        </Text>
      </Group>
      <Stack gap="xs">
        {unavailable ? (
          <Text size="sm" c="dimmed">
            {unavailable}
          </Text>
        ) : (
          !snapshot.open && (
            <Text size="sm" c="dimmed">
              {link ? 'Connecting…' : `Waiting for ${peer} to open file transfer…`}
            </Text>
          )
        )}
        {ready &&
          asked.map((r) => (
            <Alert key={r.id} variant="light" title={`${peer} asks you for a file`} icon={<IconHandFinger />}>
              <Group gap="xs">
                <FileButton onChange={(f) => send(f, r.id)}>
                  {(props) => (
                    <Button size="xs" {...props}>
                      Choose a file…
                    </Button>
                  )}
                </FileButton>
                <Button size="xs" variant="default" onClick={() => link?.declineRequest(r.id)}>
                  Don't send
                </Button>
              </Group>
            </Alert>
          ))}
        {error && (
          <Alert
            color="red"
            variant="light"
            title="File not sent"
            withCloseButton
            onClose={() => setError(null)}
          >
            {error}
          </Alert>
        )}
        {ready && (
          <Group gap="xs">
            <FileButton onChange={(f) => send(f)}>
              {(props) => (
                <Button
                  size="xs"
                  variant="default"
                  leftSection={<IconFileUpload size={14} aria-hidden />}
                  {...props}
                >
                  Offer a file…
                </Button>
              )}
            </FileButton>
            {me === 'agent' && (
              <Button
                size="xs"
                variant="default"
                onClick={() => link?.request()}
                disabled={mine?.state === 'open'}
              >
                Ask for a file
              </Button>
            )}
          </Group>
        )}
        {mine?.state === 'open' && (
          <Badge variant="light" color="blue" w="fit-content">
            Waiting for {peer} to choose a file…
          </Badge>
        )}
        {mine?.state === 'declined' && (
          <Text size="sm" c="dimmed" role="status">
            {peer} did not send a file.
          </Text>
        )}
        <Transfers links={links} peer={peer} />
        {!hasTransfers && ready && (
          <Text size="xs" c="dimmed">
            Files go straight between you and {peer}, never through the server.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
