import type { ChatEntry } from '@lifeline/contracts';
import { Box, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';

interface Props {
  me: 'agent' | 'customer';
  entries: ChatEntry[];
  onSend: (text: string) => void;
  disabled?: boolean;
  /** Floating over a phone's camera picture: lower, and letting the picture show through. */
  overlay?: boolean;
  /** The session is over: the transcript stays readable, nothing can be sent. */
  readOnly?: boolean;
}

export function ChatPanel({
  me,
  entries,
  onSend,
  disabled = false,
  overlay = false,
  readOnly = false,
}: Props) {
  const [text, setText] = useState('');
  const end = useRef<HTMLDivElement>(null);
  const count = entries.length;
  useEffect(() => {
    if (count > 0) end.current?.scrollIntoView?.({ block: 'end' });
  }, [count]);

  return (
    <Paper
      withBorder
      p="sm"
      component="section"
      aria-label="Chat"
      shadow={overlay ? 'md' : undefined}
      style={overlay ? { background: 'rgba(255, 255, 255, 0.86)', backdropFilter: 'blur(6px)' } : undefined}
    >
      <Title order={readOnly ? 2 : 3} size="h5" mb="xs">
        {readOnly ? 'Chat transcript' : 'Chat'}
      </Title>
      {/* The browser's own scrolling: Mantine's ScrollArea would bring floating-ui into the customer bundle. */}
      <Box
        h={overlay ? 130 : readOnly ? 360 : 220}
        style={{ overflowY: 'auto', overscrollBehavior: 'contain' }}
      >
        <Stack gap={6} role="log" aria-live="polite" aria-label="Chat messages">
          {entries.length === 0 && (
            <Text size="sm" c="dimmed">
              No messages yet.
            </Text>
          )}
          {entries.map((e) => (
            <Paper
              key={`${e.at}-${e.from}-${e.text}`}
              p={6}
              px="xs"
              bg={e.from === me ? 'blue.0' : 'gray.0'}
              ml={e.from === me ? 'xl' : 0}
              mr={e.from === me ? 0 : 'xl'}
            >
              <Text size="xs" c="dimmed">
                {e.from === me ? 'You' : e.name}
                {readOnly && ` · ${new Date(e.at).toLocaleTimeString()}`}
              </Text>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {e.text}
              </Text>
            </Paper>
          ))}
          <div ref={end} />
        </Stack>
      </Box>
      {!readOnly && (
        <form
          onSubmit={(ev) => {
            ev.preventDefault();
            const t = text.trim();
            if (!t) return;
            onSend(t);
            setText('');
          }}
        >
          <Group gap="xs" mt="xs" wrap="nowrap">
            <TextInput
              aria-label="Message"
              placeholder="Type a message"
              value={text}
              maxLength={2000}
              onChange={(e) => setText(e.currentTarget.value)}
              disabled={disabled}
              style={{ flex: 1 }}
            />
            <Button type="submit" disabled={disabled || !text.trim()}>
              Send
            </Button>
          </Group>
        </form>
      )}
    </Paper>
  );
}
