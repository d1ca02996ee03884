import type { CaseOutcome } from '@lifeline/contracts';
import { Anchor, Paper, Stack, Text, Title } from '@mantine/core';
import { formatDuration, formatSize } from '../lib/format.js';

/** What came of an ended case: the agent's closing note, the chat transcript and the recordings, as a CRM files them. */
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
        {outcome.recordings.length > 0 && (
          <>
            <Text size="sm" fw={600}>
              Recordings
            </Text>
            <Stack
              gap={4}
              component="ul"
              aria-label="Recordings"
              style={{ listStyle: 'none', padding: 0, margin: 0 }}
            >
              {outcome.recordings.map((r) => (
                <Text component="li" size="sm" key={r.id}>
                  {/* The console's case page plays it (signed in); from a CRM frame it opens in a new tab. */}
                  <Anchor href={r.url} target="_blank" rel="noopener">
                    Recording of {new Date(r.startedAt).toLocaleString()}
                  </Anchor>{' '}
                  <Text span c="dimmed" size="xs">
                    {formatDuration(r.durationSeconds)} · {formatSize(r.sizeBytes)}
                  </Text>
                </Text>
              ))}
            </Stack>
          </>
        )}
      </Stack>
    </Paper>
  );
}
