import { Box, Center, Group, Image, Paper, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useBranding } from '../features/modules/branding.js';

/** The card of a customer page, headed by a QuickSupport module's logo and title when there is one. */
function CustomerCard({ children }: { children: ReactNode }) {
  const brand = useBranding();
  return (
    <Paper
      withBorder
      shadow="sm"
      p="xl"
      radius="lg"
      style={brand ? { borderTop: `6px solid ${brand.accentColor}` } : undefined}
    >
      <Stack gap="md">
        {brand && (
          <Group gap="sm" wrap="nowrap">
            {brand.logoUrl && (
              <Image src={brand.logoUrl} alt={`${brand.title} logo`} h={40} w="auto" fit="contain" />
            )}
            <Text fw={700} size="lg">
              {brand.title}
            </Text>
          </Group>
        )}
        {children}
      </Stack>
    </Paper>
  );
}

/** The frame of every customer page: one card in the middle, readable on a phone. */
export function CenteredCard({ children, footer }: { children: ReactNode; footer?: ReactNode }) {
  return (
    <Center mih="100dvh" p="md" bg="gray.0">
      <Stack w="100%" maw={520} gap="xs">
        <CustomerCard>{children}</CustomerCard>
        <Text size="xs" c="dimmed" ta="center">
          {footer ?? 'Lifeline remote support'}
        </Text>
      </Stack>
    </Center>
  );
}

/** The same card inside another page, as the admin's live preview of a module shows it. */
export function CenteredCardPreview({ children }: { children: ReactNode }) {
  return (
    <Box p="md" bg="gray.0">
      <CustomerCard>{children}</CustomerCard>
    </Box>
  );
}
