import { Button, Group, Loader, Text, Title } from '@mantine/core';
import { CenteredCard } from './CenteredCard.js';

/** A customer page waiting for its first answer. */
export function LoadingCard({ text }: { text: string }) {
  return (
    <CenteredCard>
      <Group>
        <Loader size="sm" />
        <Text>{text}</Text>
      </Group>
    </CenteredCard>
  );
}

/** A customer page that cannot go on: what happened, and the way in that still works, the session code. */
export function CodeFallbackCard({ title, text }: { title: string; text: string }) {
  return (
    <CenteredCard>
      <Title order={1} size="h2">
        {title}
      </Title>
      <Text c="dimmed">{text}</Text>
      <Button component="a" href="/support" variant="light">
        Enter a session code
      </Button>
    </CenteredCard>
  );
}
