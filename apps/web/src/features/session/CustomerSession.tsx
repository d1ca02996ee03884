import type { JoinInfo } from '@lifeline/contracts';
import { Alert, Badge, Button, Container, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { CenteredCard } from '../../components/CenteredCard.js';
import { EndedPage } from '../../components/EndedPage.js';
import { AnnotationLayer } from './AnnotationLayer.js';
import { ChatPanel } from './ChatPanel.js';
import { MediaStage } from './MediaStage.js';
import { PeerLink } from './peer.js';
import { desktopSystem, WindowsDownload } from './quicksupport.js';
import { useSessionSocket } from './useSessionSocket.js';

type Decision = 'undecided' | 'allowed' | 'denied';

/** The customer's own screen or camera, asked for only after "Allow". */
async function captureFor(type: JoinInfo['type']): Promise<MediaStream> {
  if (type === 'ar') {
    return navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' } },
      audio: true,
    });
  }
  return navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
}

function AgentAudio({ stream }: { stream: MediaStream | null }) {
  const el = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (el.current) el.current.srcObject = stream;
  }, [stream]);
  // biome-ignore lint/a11y/useMediaCaption: a live call has no captions to offer
  return <audio ref={el} autoPlay aria-label="Your agent's voice" />;
}

/**
 * The customer's side of a live session: waiting room, consent prompt, and
 * while sharing a bar that always shows the session is active.
 */
export function CustomerSession({ info }: { info: JoinInfo }) {
  const session = useSessionSocket({ token: info.token }, 'customer');
  const { state, send } = session;
  const [decision, setDecision] = useState<Decision>('undecided');
  const [allowedAgent, setAllowedAgent] = useState<string | null>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [agentAudio, setAgentAudio] = useState<MediaStream | null>(null);
  const [captureError, setCaptureError] = useState<string | null>(null);
  const [left, setLeft] = useState(false);
  const peer = useRef<PeerLink | null>(null);
  const what = info.type === 'ar' ? 'camera' : 'screen';

  const iceServers = state.welcome?.iceServers;
  const icePolicy = state.welcome?.iceTransportPolicy;
  useEffect(() => {
    if (!iceServers) return;
    const link = new PeerLink(send, iceServers, setAgentAudio, icePolicy);
    peer.current = link;
    session.onSignal((m) => link.handle(m));
    return () => link.close();
  }, [iceServers, icePolicy, send, session.onSignal]);

  // A new connection (a reload, a reconnect) is a new consent: the hub asks again, and so do we.
  const welcome = state.welcome;
  useEffect(() => {
    if (welcome) setDecision('undecided');
  }, [welcome]);

  const stopMedia = useCallback(() => {
    for (const track of stream?.getTracks() ?? []) track.stop();
    setStream(null);
    peer.current?.close();
  }, [stream]);

  const capture = async () => {
    setCaptureError(null);
    try {
      return await captureFor(info.type);
    } catch {
      setCaptureError(
        info.type === 'ar'
          ? 'The camera could not be started. Check that this site may use your camera, then try again.'
          : 'Screen sharing was cancelled or blocked. Try again and pick the screen to share.',
      );
      return null;
    }
  };

  /** The offer goes out before the page re-renders: the agent's first frame should not wait for React. */
  const startSharing = async (media: MediaStream) => {
    await peer.current?.offer(media);
    send({ type: 'sharing', state: 'active' });
    // The browser's own "Stop sharing" button ends the track: treat it like ours.
    for (const track of media.getVideoTracks()) {
      track.addEventListener('ended', () => {
        setStream(null);
        peer.current?.close();
        send({ type: 'sharing', state: 'off' });
      });
    }
    setStream(media);
  };

  const share = async () => {
    const media = await capture();
    if (media) await startSharing(media);
  };

  const allow = async () => {
    // The browser's picker comes first: a cancelled picker must not count as consent.
    const media = await capture();
    if (!media) return;
    send({ type: 'consent', decision: 'allow' });
    await startSharing(media);
    setDecision('allowed');
    setAllowedAgent(state.presence.agentName);
  };

  const deny = () => {
    send({ type: 'consent', decision: 'deny' });
    setDecision('denied');
  };

  // The agent dropped and came back: the same agent gets the picture again, another one must be allowed anew.
  const agentOnline = state.presence.agent;
  const agentName = state.presence.agentName;
  const wasOnline = useRef(false);
  useEffect(() => {
    const returned = agentOnline && !wasOnline.current;
    wasOnline.current = agentOnline;
    if (!agentOnline) {
      peer.current?.close();
      return;
    }
    if (returned && decision === 'allowed' && stream) {
      if (agentName === allowedAgent) void peer.current?.offer(stream);
      else {
        stopMedia();
        setDecision('undecided');
      }
    }
  }, [agentOnline, agentName, allowedAgent, decision, stream, stopMedia]);

  if (left) {
    return (
      <CenteredCard>
        <Title order={1} size="h2">
          You left the support session
        </Title>
        <Text c="dimmed">Nothing is shared any more. If you still need help, you can join again.</Text>
        <Button onClick={() => window.location.reload()}>Join again</Button>
      </CenteredCard>
    );
  }
  if (state.ended && state.ended !== 'replaced') return <EndedPage />;
  if (state.ended === 'replaced') {
    return (
      <CenteredCard>
        <Title order={1} size="h2">
          Opened in another window
        </Title>
        <Text c="dimmed">
          This support session continues in another window or tab. You can close this one.
        </Text>
      </CenteredCard>
    );
  }
  if (state.refused) return <EndedPage detail="This invitation link is not valid." />;
  if (!state.welcome) {
    return (
      <CenteredCard>
        <Group>
          <Loader size="sm" />
          <Text>Connecting to {info.organization.name}…</Text>
        </Group>
      </CenteredCard>
    );
  }

  if (!agentOnline && decision !== 'allowed') {
    return (
      <CenteredCard>
        <Badge variant="light" color="blue" w="fit-content">
          Waiting room
        </Badge>
        <Title order={1} size="h2">
          Waiting for your support agent…
        </Title>
        <Text>
          <strong>{info.organization.name}</strong> has your request “{info.name}”. Keep this page open: an
          agent will join you here.
        </Text>
        {state.welcome.session.waitingMessage && (
          <Alert variant="light" title={`Message from ${info.organization.name}`}>
            {state.welcome.session.waitingMessage}
          </Alert>
        )}
        <Group gap="xs">
          <Loader size="xs" type="dots" />
          <Text size="sm" c="dimmed">
            Nothing is shared until you allow it.
          </Text>
        </Group>
        {info.type === 'remote_control' && desktopSystem() === 'windows' && (
          <Stack gap="xs">
            <Text size="sm" fw={600}>
              Your agent can also use your mouse and keyboard, with QuickSupport:
            </Text>
            <WindowsDownload token={info.token} />
          </Stack>
        )}
        <Text size="sm" c="dimmed">
          Session code {info.code}
        </Text>
      </CenteredCard>
    );
  }

  if (decision === 'undecided') {
    return (
      <CenteredCard>
        <Title order={1} size="h2">
          Allow {agentName ?? 'your agent'} from {info.organization.name} to see your {what}?
        </Title>
        <Text>
          {info.type === 'ar'
            ? 'Your camera picture and microphone go to the agent, who can draw on it to show you what to do. You can stop at any time.'
            : 'Your browser will ask which screen or window to share. The agent sees it, can point and draw on it, and you can stop at any time.'}
        </Text>
        {captureError && (
          <Alert color="red" variant="light">
            {captureError}
          </Alert>
        )}
        <Group grow>
          <Button variant="default" onClick={deny}>
            Deny
          </Button>
          <Button onClick={() => void allow()}>Allow</Button>
        </Group>
      </CenteredCard>
    );
  }

  if (decision === 'denied') {
    return (
      <CenteredCard>
        <Title order={1} size="h2">
          You did not allow access
        </Title>
        <Text c="dimmed">
          {agentName ?? 'The agent'} cannot see your {what}. You can still chat, or allow access after all.
        </Text>
        <Button onClick={() => setDecision('undecided')}>Allow after all…</Button>
        <ChatPanel
          me="customer"
          entries={state.chat}
          onSend={(t) => session.sendChat(t, 'You')}
          disabled={!agentOnline}
        />
      </CenteredCard>
    );
  }

  return (
    <Stack gap={0} mih="100dvh" bg="gray.0">
      <Paper
        role="status"
        aria-label="Session active"
        radius={0}
        p="xs"
        px="md"
        bg="red.7"
        c="white"
        pos="sticky"
        top={0}
        style={{ zIndex: 10 }}
      >
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text fw={600} size="sm">
            ● Session active —{' '}
            {stream
              ? `${allowedAgent ?? 'Your agent'} can see your ${what}`
              : agentOnline
                ? `you are not sharing your ${what}`
                : 'your agent was disconnected, waiting for them to return'}
          </Text>
          <Group gap="xs">
            {stream ? (
              <Button
                size="xs"
                variant="white"
                color="dark"
                onClick={() => {
                  stopMedia();
                  send({ type: 'sharing', state: 'off' });
                }}
              >
                Stop sharing
              </Button>
            ) : (
              <Button
                size="xs"
                variant="white"
                color="dark"
                onClick={() => void share()}
                disabled={!agentOnline}
              >
                Share again
              </Button>
            )}
            <Button
              size="xs"
              color="dark"
              onClick={() => {
                stopMedia();
                session.leave();
                setLeft(true);
              }}
            >
              End session
            </Button>
          </Group>
        </Group>
      </Paper>
      <Container size="lg" w="100%" py="md">
        <Stack>
          {captureError && (
            <Alert color="red" variant="light">
              {captureError}
            </Alert>
          )}
          <Text size="sm" c="dimmed">
            {info.type === 'ar'
              ? 'Point your camera at the problem. Marks your agent draws appear here.'
              : 'This is what your agent sees. Their pointer and marks appear here.'}
          </Text>
          <MediaStage stream={stream} frozen={state.frozen} label={`Your shared ${what}`}>
            <AnnotationLayer annotations={state.annotations} pointer={state.pointer} />
          </MediaStage>
          {state.frozen && (
            <Badge color="yellow" w="fit-content">
              Your agent froze the picture to draw on it
            </Badge>
          )}
          <AgentAudio stream={agentAudio} />
          <ChatPanel me="customer" entries={state.chat} onSend={(t) => session.sendChat(t, 'You')} />
        </Stack>
      </Container>
    </Stack>
  );
}
