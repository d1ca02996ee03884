import type { CaseOutcome } from '@lifeline/contracts';
import { Paper, Stack, Text, Title } from '@mantine/core';

/** What came of an ended case: the agent's closing note and the chat transcript, as a CRM files them. */
export function CaseOutcomePanel({ outcome }: { outcome: CaseOutcome }) {
  return (
    <Paper withBorder p="md" component="section" aria-label="Outcome">
      <Stack gap="xs">
        <Title order={2} size="h5">
          Outcome
        </Title>
        <Text size="sm" fw={600}>
          Closing note
        </Text>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {outcome.note ?? 'No closing note was given.'}
        </Text>
        <Text size="sm" fw={600}>
          Chat transcript
        </Text>
        {outcome.transcript.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing was written in the chat.
          </Text>
        ) : (
          <Stack
            gap={4}
            component="ol"
            aria-label="Chat transcript"
            style={{ listStyle: 'none', padding: 0 }}
          >
            {outcome.transcript.map((entry) => (
              <Text component="li" size="sm" key={`${entry.at}-${entry.text}`}>
                <Text span c="dimmed" size="xs">
                  {new Date(entry.at).toLocaleTimeString()}{' '}
                </Text>
                <Text span fw={600}>
                  {entry.name ?? (entry.from === 'agent' ? 'Agent' : 'Customer')}:
                </Text>{' '}
                {entry.text}
              </Text>
            ))}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
