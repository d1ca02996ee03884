import { Center, Paper, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** The frame of every customer page: one card in the middle, readable on a phone. */
export function CenteredCard({ children, footer }: { children: ReactNode; footer?: ReactNode }) {
  return (
    <Center mih="100dvh" p="md" bg="gray.0">
      <Stack w="100%" maw={520} gap="xs">
        <Paper withBorder shadow="sm" p="xl" radius="lg">
          <Stack gap="md">{children}</Stack>
        </Paper>
        <Text size="xs" c="dimmed" ta="center">
          {footer ?? 'Lifeline remote support'}
        </Text>
      </Stack>
    </Center>
  );
}
