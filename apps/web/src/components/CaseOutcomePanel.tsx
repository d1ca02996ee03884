import type { CaseOutcome, TransferEntry } from '@lifeline/contracts';
import { Anchor, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { formatBytes, formatDuration } from '../lib/format.js';

const results: Record<TransferEntry['result'], string> = {
  delivered: 'Delivered',
  declined: 'Declined',
  too_large: 'Refused: too large',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

function what(t: TransferEntry) {
  const way = t.direction === 'to_customer' ? 'to the customer' : 'from the customer';
  if (t.kind === 'clipboard')
    return t.direction === 'to_customer'
      ? "Pasted into the customer's clipboard"
      : "Read the customer's clipboard";
  return `${t.name ?? 'A file'} ${way}`;
}

function result(t: TransferEntry) {
  if (t.result !== 'cancelled' || !t.cancelledBy) return results[t.result];
  return `Cancelled by the ${t.cancelledBy}`;
}

/** The session's files and clipboard texts, as the agent's page reported them. */
function Transfers({ transfers }: { transfers: TransferEntry[] }) {
  if (transfers.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No files or clipboard text went either way.
      </Text>
    );
  return (
    <Table aria-label="Transfers" fz="sm" withRowBorders={false} verticalSpacing={2}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Time</Table.Th>
          <Table.Th>Agent</Table.Th>
          <Table.Th>What</Table.Th>
          <Table.Th>Size</Table.Th>
          <Table.Th>Result</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {transfers.map((t, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed once the case is closed.
          <Table.Tr key={i}>
            <Table.Td c="dimmed" style={{ whiteSpace: 'nowrap' }}>
              {new Date(t.at).toLocaleTimeString()}
            </Table.Td>
            <Table.Td>{t.agent.name ?? 'Agent'}</Table.Td>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{what(t)}</Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              {t.bytes !== null ? formatBytes(t.bytes) : `${t.characters ?? 0} characters`}
            </Table.Td>
            <Table.Td>{result(t)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/**
 * What came of an ended case: the agent's closing note, the chat transcript, the
 * transfers of files and clipboard text and the recordings, as a CRM files them.
 */
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
            {outcome.transcript.map((entry, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the transcript is fixed once the case is closed.
              <Text component="li" size="sm" key={i}>
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
        <Text size="sm" fw={600}>
          Files and clipboard
        </Text>
        <Transfers transfers={outcome.transfers} />
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
                    {formatDuration(r.durationSeconds)} · {formatBytes(r.sizeBytes)}
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
