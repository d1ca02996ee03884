import {
  CLIPBOARD_MAX_CHARS,
  type ClipboardRequest,
  clipboardReply,
  type TransferDirection,
} from '@lifeline/contracts';
import { Button, CopyButton, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { IconClipboardCopy, IconClipboardText } from '@tabler/icons-react';
import { useEffect, useState } from 'react';

/** Characters as a person counts them (an emoji is one), not UTF-16 code units. */
const characterCount = (text: string) => [...text].length;

type Status =
  | { kind: 'idle' }
  /** `characters`: of the text being pasted. */
  | { kind: 'waiting'; id: string; what: 'paste' | 'read'; characters: number }
  | { kind: 'done'; text: string }
  | { kind: 'error'; text: string };

/**
 * The customer's clipboard through QuickSupport, while the agent has control:
 * one click puts text in it, one click reads it, never anything on its own.
 * The helper refuses both once control is taken back, and shows the customer
 * each transfer.
 */
export function ClipboardTools({
  channel,
  customerName,
  onTransfer,
}: {
  /** The helper's `control` channel. */
  channel: RTCDataChannel | null;
  customerName: string;
  /** Told of each paste and read the helper carried out, by its length only (the audit trail's). */
  onTransfer: (direction: TransferDirection, characters: number) => void;
}) {
  const [text, setText] = useState('');
  const [read, setRead] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const waitingId = status.kind === 'waiting' ? status.id : null;
  const pasting = status.kind === 'waiting' ? status.characters : 0;

  useEffect(() => {
    if (!channel || !waitingId) return;
    const onMessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string' || !e.data.includes('"clipboard-')) return;
      let json: unknown;
      try {
        json = JSON.parse(e.data);
      } catch {
        return;
      }
      const reply = clipboardReply.safeParse(json);
      if (!reply.success || reply.data.id !== waitingId) return;
      const r = reply.data;
      if (r.type === 'clipboard-written') {
        onTransfer('to_customer', pasting);
        setStatus({ kind: 'done', text: `Pasted into ${customerName}'s clipboard.` });
        setText('');
      } else if (r.type === 'clipboard-text') {
        onTransfer('from_customer', characterCount(r.text));
        setRead(r.text);
        setStatus({
          kind: 'done',
          text: r.truncated
            ? `${customerName}'s clipboard, its first ${r.text.length} characters:`
            : `${customerName}'s clipboard${r.text ? ':' : ' is empty.'}`,
        });
      } else {
        setStatus({ kind: 'error', text: `Refused: ${r.message}` });
      }
    };
    channel.addEventListener('message', onMessage);
    return () => channel.removeEventListener('message', onMessage);
  }, [channel, waitingId, pasting, customerName, onTransfer]);

  const ask = (request: ClipboardRequest, what: 'paste' | 'read') => {
    if (channel?.readyState !== 'open') return;
    channel.send(JSON.stringify(request));
    const characters = request.type === 'clipboard-write' ? characterCount(request.text) : 0;
    setStatus({ kind: 'waiting', id: request.id, what, characters });
  };
  const waiting = status.kind === 'waiting';

  return (
    <Paper withBorder p="sm" component="section" aria-label="Clipboard">
      <Stack gap="xs">
        <Title order={3} size="h5">
          {customerName}'s clipboard
        </Title>
        <Group gap="xs" align="flex-end">
          <Textarea
            label="Text for the customer's clipboard"
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            maxLength={CLIPBOARD_MAX_CHARS}
            autosize
            minRows={1}
            maxRows={4}
            style={{ flex: 1 }}
          />
          <Button
            variant="default"
            leftSection={<IconClipboardText size={16} aria-hidden />}
            disabled={!text || waiting}
            loading={waiting && status.what === 'paste'}
            onClick={() => ask({ type: 'clipboard-write', id: crypto.randomUUID(), text }, 'paste')}
          >
            Paste to customer's clipboard
          </Button>
          <Button
            variant="default"
            leftSection={<IconClipboardCopy size={16} aria-hidden />}
            disabled={waiting}
            loading={waiting && status.what === 'read'}
            onClick={() => ask({ type: 'clipboard-read', id: crypto.randomUUID() }, 'read')}
          >
            Read customer's clipboard
          </Button>
        </Group>
        {(status.kind === 'done' || status.kind === 'error') && (
          <Text size="sm" c={status.kind === 'error' ? 'red' : 'dimmed'} role="status" aria-label="Clipboard">
            {status.text}
          </Text>
        )}
        {read && (
          <Group gap="xs" align="flex-start">
            <Textarea
              label="Read from the customer's clipboard"
              value={read}
              readOnly
              autosize
              minRows={1}
              maxRows={6}
              style={{ flex: 1 }}
            />
            <CopyButton value={read}>
              {({ copied, copy }) => (
                <Button variant="default" mt={24} onClick={copy}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        )}
        <Text size="xs" c="dimmed">
          {customerName} sees each paste and read in QuickSupport.
        </Text>
      </Stack>
    </Paper>
  );
}
