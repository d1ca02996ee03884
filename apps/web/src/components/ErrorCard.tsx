import { Button, Text, Title } from '@mantine/core';
import { CenteredCard } from './CenteredCard.js';

/** A page that broke, or a path that is not one: said plainly, with a way back. */
export function ErrorCard({ missing }: { missing: boolean }) {
  return (
    <CenteredCard>
      <Title order={1} size="h2">
        {missing ? 'There is no such page' : 'Something went wrong'}
      </Title>
      <Text c="dimmed">
        {missing
          ? 'Check the address, or start again from the home page.'
          : 'This page ran into a problem. Reload it; if it happens again, tell your administrator.'}
      </Text>
      <Button onClick={() => window.location.reload()}>Reload</Button>
    </CenteredCard>
  );
}
