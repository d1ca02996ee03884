import { Text, ThemeIcon, Title } from '@mantine/core';
import { IconPlugConnectedX } from '@tabler/icons-react';
import { CenteredCard } from './CenteredCard.js';

/** What a customer sees for a closed, expired or deleted case: never an error dump. */
export function EndedPage({ detail }: { detail?: string }) {
  return (
    <CenteredCard>
      <ThemeIcon size={48} radius="xl" variant="light" color="gray">
        <IconPlugConnectedX aria-hidden />
      </ThemeIcon>
      <Title order={1} size="h2">
        This support session has ended
      </Title>
      <Text c="dimmed">
        {detail ??
          'The link or code you used is no longer active. If you still need help, ask your support contact for a new invitation.'}
      </Text>
    </CenteredCard>
  );
}
