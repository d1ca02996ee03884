import { endpoints, pathOf, type Recording } from '@lifeline/contracts';
import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api } from '../../lib/api.js';
import { formatBytes, formatDuration, formatTime } from '../../lib/format.js';
import { keys } from '../../lib/query-keys.js';

/**
 * A WebM file from MediaRecorder says nothing of its length: the player finds
 * it by seeking past the end once, then goes back to the start.
 */
function learnDuration(video: HTMLVideoElement) {
  if (Number.isFinite(video.duration)) return;
  const back = () => {
    if (!Number.isFinite(video.duration)) return;
    video.removeEventListener('durationchange', back);
    video.currentTime = 0;
  };
  video.addEventListener('durationchange', back);
  video.currentTime = Number.MAX_SAFE_INTEGER;
}

function RecordingItem({ code, r, admin }: { code: string; r: Recording; admin: boolean }) {
  const params = { code, id: r.id };
  const self = useRef<HTMLElement>(null);
  // The outcome's link (`url`) names one recording: it comes into view once the list has loaded.
  useEffect(() => {
    if (window.location.hash === `#recording-${r.id}`) self.current?.scrollIntoView({ block: 'center' });
  }, [r.id]);
  const label = `Recording by ${r.agent.name ?? 'an agent'}, ${formatTime(r.startedAt)}`;
  return (
    <Paper withBorder p="sm" id={`recording-${r.id}`} component="article" aria-label={label} ref={self}>
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Text size="sm" fw={600}>
            {label}
          </Text>
          <Text size="sm" c="dimmed">
            {formatDuration(r.durationSeconds)} · {formatBytes(r.sizeBytes)}
            {r.finished ? '' : ' · still recording or cut short'}
          </Text>
        </Group>
        {/* Playing is written to the audit trail, so the file loads only when asked to play. */}
        <video
          controls
          preload="none"
          src={pathOf(endpoints.recordings.media, params)}
          aria-label={`Player: ${label}`}
          onLoadedMetadata={(e) => learnDuration(e.currentTarget)}
          style={{ width: '100%', maxHeight: 360, background: '#000', borderRadius: 4 }}
        >
          <track kind="captions" />
        </video>
        {admin && (
          <Group>
            <Button
              component="a"
              size="xs"
              variant="default"
              href={pathOf(endpoints.recordings.download, params)}
              download
            >
              Download
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

/** The session's recordings: every agent plays them, admins download them; both are in the audit trail. */
export function RecordingsPanel({ code, admin }: { code: string; admin: boolean }) {
  const recordings = useQuery({
    queryKey: keys.events.recordings(code),
    queryFn: () => api.recordings.list(code),
  });
  if (!recordings.data?.length) return null;
  return (
    <Paper withBorder p="md" component="section" aria-label="Recordings">
      <Title order={2} size="h4" mb="xs">
        Recordings
      </Title>
      <Stack gap="sm">
        {recordings.data.map((r) => (
          <RecordingItem key={r.id} code={code} r={r} admin={admin} />
        ))}
      </Stack>
    </Paper>
  );
}
