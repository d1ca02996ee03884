import {
  Alert,
  Box,
  Center,
  Group,
  Image,
  Stack,
  Text,
  ThemeIcon,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { IconPhone, IconPhoneOff } from '@tabler/icons-react';
import { type ReactNode, useEffect } from 'react';
import { useBranding } from '../modules/branding.js';

/** How often the ring repeats, and for how long a call rings before it only shows. */
const RING_EVERY_MS = 3_000;
const RING_FOR_MS = 60_000;

/** One ring: two short bursts of a 440 + 480 Hz tone, the classic telephone ring. */
function ringOnce(audio: AudioContext) {
  const start = audio.currentTime + 0.05;
  const gain = audio.createGain();
  gain.connect(audio.destination);
  gain.gain.setValueAtTime(0, start);
  for (const at of [0, 0.6]) {
    gain.gain.linearRampToValueAtTime(0.18, start + at + 0.02);
    gain.gain.setValueAtTime(0.18, start + at + 0.4);
    gain.gain.linearRampToValueAtTime(0, start + at + 0.45);
  }
  for (const frequency of [440, 480]) {
    const tone = audio.createOscillator();
    tone.frequency.value = frequency;
    tone.connect(gain);
    tone.start(start);
    tone.stop(start + 1.1);
  }
}

/**
 * Rings like a phone while the call screen shows: a short tone (WebAudio),
 * a vibration where the device has one, and a flashing tab title for a
 * customer who looks at another tab. Everything stops when it unmounts.
 */
function useRinging(flashTitle: string) {
  useEffect(() => {
    const title = document.title;
    const started = Date.now();
    let audio: AudioContext | null = null;
    try {
      audio = new AudioContext();
      // The customer clicked "Join in browser": the page may make sound, but a context can start suspended.
      void audio.resume().catch(() => undefined);
    } catch {
      audio = null;
    }
    const ring = () => {
      if (Date.now() - started > RING_FOR_MS) return;
      if (audio) ringOnce(audio);
      navigator.vibrate?.([400, 200, 400]);
    };
    ring();
    const ringing = setInterval(ring, RING_EVERY_MS);
    let flash = false;
    const flashing = setInterval(() => {
      flash = !flash;
      document.title = flash ? flashTitle : title;
    }, 1_000);
    document.title = flashTitle;
    return () => {
      clearInterval(ringing);
      clearInterval(flashing);
      document.title = title;
      navigator.vibrate?.(0);
      void audio?.close().catch(() => undefined);
    };
  }, [flashTitle]);
}

/** A phone's round answer button, named by the word under it. */
function CallButton({
  label,
  color,
  icon,
  onClick,
}: {
  label: string;
  color: string;
  icon: ReactNode;
  onClick: () => void;
}) {
  return (
    <UnstyledButton onClick={onClick} p="xs" style={{ borderRadius: 16 }}>
      <Stack align="center" gap={8}>
        <ThemeIcon aria-hidden size={76} radius={76} color={color} style={{ borderRadius: '50%' }}>
          {icon}
        </ThemeIcon>
        <Text c="white" fw={600}>
          {label}
        </Text>
      </Stack>
    </UnstyledButton>
  );
}

const initialsOf = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase())
    .join('');

/**
 * The consent prompt of an AR session as a phone's call screen: the agent
 * "calls" when they join. Accept is "Allow" (camera and microphone go to
 * this agent), Decline is "Deny".
 */
export function IncomingCall({
  agentName,
  organization,
  recorded,
  error,
  onAccept,
  onDecline,
}: {
  agentName: string;
  organization: string;
  /** The organisation records its sessions: the customer hears it before accepting. */
  recorded: boolean;
  error: string | null;
  onAccept: () => void;
  onDecline: () => void;
}) {
  useRinging(`📞 ${agentName} is calling`);
  const brand = useBranding();
  return (
    <Box
      mih="100dvh"
      p="xl"
      style={{
        display: 'flex',
        flexDirection: 'column',
        justifyContent: 'space-between',
        background: 'linear-gradient(170deg, #1b2a4a 0%, #0b1020 70%)',
        color: 'white',
      }}
    >
      <Stack align="center" gap="md" pt="10vh" role="alert" aria-live="assertive">
        {brand?.logoUrl && <Image src={brand.logoUrl} alt={`${brand.title} logo`} h={32} w="auto" />}
        <Text size="sm" c="gray.4" tt="uppercase" fw={600} style={{ letterSpacing: 1.5 }}>
          Video support call
        </Text>
        <Center
          aria-hidden
          w={112}
          h={112}
          mt={30}
          bg="blue.6"
          fz={40}
          fw={600}
          style={{
            borderRadius: '50%',
            boxShadow: '0 0 0 14px rgba(77, 171, 247, 0.2), 0 0 0 30px rgba(77, 171, 247, 0.08)',
          }}
        >
          {initialsOf(agentName)}
        </Center>
        <Title order={1} size="h2" ta="center" mt={40} c="white">
          {agentName} from {organization} is calling
        </Title>
        <Text ta="center" c="gray.3" maw={320}>
          Accept to show them your camera and talk. They can draw on the picture to show you what to do; you
          can stop at any time.
        </Text>
        {recorded && (
          <Text ta="center" c="white" fw={600}>
            This session is recorded.
          </Text>
        )}
      </Stack>
      <Stack gap="md" pb="xl">
        {error && (
          <Alert color="red" variant="filled">
            {error}
          </Alert>
        )}
        <Group justify="space-around" wrap="nowrap">
          <CallButton label="Decline" color="red" icon={<IconPhoneOff size={34} />} onClick={onDecline} />
          <CallButton label="Accept" color="green" icon={<IconPhone size={34} />} onClick={onAccept} />
        </Group>
      </Stack>
    </Box>
  );
}
