import type { CustomerDevice, JoinInfo, PresentAgent } from '@lifeline/contracts';
import {
  Alert,
  Badge,
  Box,
  Button,
  Container,
  Group,
  Loader,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import {
  IconFiles,
  IconMessage,
  IconMessageOff,
  IconMicrophone,
  IconMicrophoneOff,
} from '@tabler/icons-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { CenteredCard } from '../../components/CenteredCard.js';
import { EndedPage } from '../../components/EndedPage.js';
import { useBranding } from '../modules/branding.js';
import { AnnotationLayer } from './AnnotationLayer.js';
import { ChatPanel } from './ChatPanel.js';
import { FilesPanel, useFileLinks, useUnansweredFiles } from './FilesPanel.js';
import { IncomingCall } from './IncomingCall.js';
import { MediaStage } from './MediaStage.js';
import { CustomerPeer } from './peer.js';
import { canShareScreen, helperSystem, WindowsDownload } from './quicksupport.js';
import { useSessionSocket } from './useSessionSocket.js';

/**
 * The customer's own screen or camera, asked for only after "Allow". A phone
 * on a screen-sharing case shows its (rear) camera instead; the voice call
 * belongs to AR.
 */
async function captureFor(type: JoinInfo['type'], camera: boolean): Promise<MediaStream> {
  if (camera) {
    return navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' } },
      audio: type === 'ar',
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

/** "Alex", "Alex and Bea", "Alex, Bea and Chris". */
function namesOf(agents: PresentAgent[]) {
  const names = agents.map((a) => a.name);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
}

/** An allowed agent who reconnects is the same person, not the same socket. */
const personOf = (a: PresentAgent) => a.userId ?? a.name;

/**
 * The customer's side of a live session: waiting room, a consent prompt for
 * each agent, and while sharing a bar that always shows the session is active
 * and who can see the screen now. The connection to each agent is prepared
 * while the customer reads the prompt; media is added only after "Allow".
 */
export function CustomerSession({ info }: { info: JoinInfo }) {
  const session = useSessionSocket({ token: info.token }, 'customer');
  const { state, send } = session;
  /** Who the customer asked: the module's brand on its pages, else the organisation. */
  const who = useBranding()?.title ?? info.organization.name;
  /** The customer allowed someone on this connection: the page stays in the session view. */
  const [shared, setShared] = useState(false);
  /** "Allow after all…": the denied agent asked about again. */
  const [reconsider, setReconsider] = useState<string | null>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [agentAudio, setAgentAudio] = useState<MediaStream | null>(null);
  const [captureError, setCaptureError] = useState<string | null>(null);
  const [left, setLeft] = useState(false);
  /** The customer's own microphone in AR: muted, the agent hears nothing (the track is off, not removed). */
  const [micMuted, setMicMuted] = useState(false);
  const [chatOpen, setChatOpen] = useState(true);
  /** The phone's camera screen keeps the files put away until the customer looks. */
  const [filesOpen, setFilesOpen] = useState(false);
  /** How many chat entries the customer has had on screen: the rest are new to them. */
  const [chatSeen, setChatSeen] = useState(0);
  const peers = useRef(new Map<string, CustomerPeer>());
  const allowedPeople = useRef(new Set<string>());
  const welcome = state.welcome;
  /**
   * This page's own answers, ahead of the presence that will confirm them. They belong to one connection
   * (one welcome): after a reconnect an agent keeps its id, and an answer given on the old connection
   * must not send the picture before the customer is asked again.
   */
  const [answers, setAnswers] = useState<{
    welcome: typeof welcome;
    decisions: ReadonlyMap<string, 'allowed' | 'denied'>;
  }>({ welcome: undefined, decisions: new Map() });
  const answer = useCallback(
    (agentId: string, decision: 'allowed' | 'denied') => {
      setAnswers((before) => ({
        welcome,
        decisions: new Map(before.welcome === welcome ? before.decisions : []).set(agentId, decision),
      }));
    },
    [welcome],
  );
  const consentOf = useCallback(
    (a: PresentAgent) => (answers.welcome === welcome ? answers.decisions.get(a.id) : undefined) ?? a.consent,
    [answers, welcome],
  );
  /** A phone cannot share its screen: it shows its camera, whatever the case type. */
  const [device] = useState<CustomerDevice>(() => (canShareScreen() ? 'computer' : 'phone'));
  const camera = info.type === 'ar' || device === 'phone';
  /** A phone on a screen-sharing case: "Show with camera" instead of a screen picker that does not exist. */
  const cameraInstead = info.type !== 'ar' && device === 'phone';
  const what = camera ? 'camera' : 'screen';

  const agents = state.presence.agents;
  /** Files go only to and from allowed agents: their page gets a `files` channel once allowed. */
  const files = useFileLinks(welcome?.fileTransferMaxBytes);
  const closePeers = useCallback(() => {
    for (const peer of peers.current.values()) peer.close();
    peers.current.clear();
  }, []);

  // A new connection (a reload, a reconnect) is a new consent: the hub asks again about every agent, and so do we.
  useEffect(() => {
    if (!welcome) return;
    setShared(false);
    allowedPeople.current.clear();
    session.onSignal((m) => {
      if (m.from) peers.current.get(m.from)?.handle(m);
    });
    return closePeers;
  }, [welcome, session.onSignal, closePeers]);

  // Every agent who arrives learns what this device shows, before the customer decides.
  const agentIds = agents.map((a) => a.id).join(' ');
  useEffect(() => {
    if (welcome && agentIds) send({ type: 'device', kind: device });
  }, [welcome, agentIds, device, send]);

  const peerFor = useCallback(
    (agentId: string) => {
      let peer = peers.current.get(agentId);
      if (!peer && welcome) {
        peer = new CustomerPeer(
          send,
          agentId,
          { iceServers: welcome.iceServers, iceTransportPolicy: welcome.iceTransportPolicy },
          setAgentAudio,
        );
        peers.current.set(agentId, peer);
      }
      return peer;
    },
    [send, welcome],
  );

  // One connection per agent present and not denied; media only to the allowed ones.
  useEffect(() => {
    if (!welcome) return;
    for (const [id, peer] of peers.current) {
      const agent = agents.find((a) => a.id === id);
      if (!agent || consentOf(agent) === 'denied') {
        peer.close();
        peers.current.delete(id);
      }
    }
    for (const agent of agents) {
      const consent = consentOf(agent);
      if (consent === 'denied') continue;
      const peer = peerFor(agent.id);
      if (consent === 'allowed') files.attach(agent.id, peer?.openFiles() ?? null);
      if (consent === 'allowed' && stream && !peer?.isSharing(stream)) void peer?.share(stream);
      // The same person back on a new connection sees the picture again without asking.
      if (consent === 'pending' && stream && allowedPeople.current.has(personOf(agent))) {
        answer(agent.id, 'allowed');
        send({ type: 'consent', decision: 'allow', agent: agent.id });
        void peer?.share(stream);
      }
    }
  }, [agents, welcome, stream, peerFor, send, consentOf, answer, files.attach]);

  useEffect(() => {
    for (const track of stream?.getAudioTracks() ?? []) track.enabled = !micMuted;
  }, [stream, micMuted]);

  const chatCount = state.chat.length;
  useEffect(() => {
    if (chatOpen) setChatSeen(chatCount);
  }, [chatOpen, chatCount]);
  const unread = state.chat.slice(chatSeen).filter((e) => e.from !== 'customer').length;

  const stopMedia = useCallback(() => {
    for (const track of stream?.getTracks() ?? []) track.stop();
    setStream(null);
    // Each agent's connection starts afresh, without any track.
    closePeers();
  }, [stream, closePeers]);

  const capture = async () => {
    setCaptureError(null);
    try {
      return await captureFor(info.type, camera);
    } catch {
      setCaptureError(
        camera
          ? 'The camera could not be started. Check that this site may use your camera, then try again.'
          : 'Screen sharing was cancelled or blocked. Try again and pick the screen to share.',
      );
      return null;
    }
  };

  /** The offers go out before the page re-renders: the agent's first frame should not wait for React. */
  const startSharing = async (media: MediaStream, to: PresentAgent[]) => {
    await Promise.all(to.map((a) => peerFor(a.id)?.share(media)));
    send({ type: 'sharing', state: 'active' });
    // The browser's own "Stop sharing" button ends the track: treat it like ours.
    for (const track of media.getVideoTracks()) {
      track.addEventListener('ended', () => {
        setStream(null);
        closePeers();
        send({ type: 'sharing', state: 'off' });
      });
    }
    setStream(media);
  };

  const share = async () => {
    const media = await capture();
    if (media)
      await startSharing(
        media,
        agents.filter((a) => consentOf(a) === 'allowed'),
      );
  };

  const allow = async (agent: PresentAgent) => {
    // The browser's picker comes first: a cancelled picker must not count as consent.
    const media = stream ?? (await capture());
    if (!media) return;
    answer(agent.id, 'allowed');
    send({ type: 'consent', decision: 'allow', agent: agent.id });
    allowedPeople.current.add(personOf(agent));
    setReconsider(null);
    if (stream) {
      await peerFor(agent.id)?.share(media);
      // Already sharing: after a reconnect the hub's new connection starts "off", so say it again.
      send({ type: 'sharing', state: 'active' });
    } else await startSharing(media, [agent]);
    setShared(true);
  };

  const deny = (agent: PresentAgent) => {
    answer(agent.id, 'denied');
    send({ type: 'consent', decision: 'deny', agent: agent.id });
    setReconsider(null);
    // Nothing stays open to an agent the customer refused.
    peers.current.get(agent.id)?.close();
    peers.current.delete(agent.id);
  };

  const asking =
    agents.find((a) => a.id === reconsider) ?? agents.find((a) => consentOf(a) === 'pending') ?? null;
  const allowedAgents = agents.filter((a) => consentOf(a) === 'allowed');
  const watching = stream ? allowedAgents : [];
  const unansweredFiles = useUnansweredFiles(allowedAgents.flatMap((a) => files.linksOf(a.id)));
  const agentOnline = agents.length > 0;

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
          <Text>Connecting to {who}…</Text>
        </Group>
      </CenteredCard>
    );
  }

  const prompt = (agent: PresentAgent) => (
    <>
      <Title order={shared ? 2 : 1} size="h2">
        Allow {agent.name} from {info.organization.name} to see your {what}?
      </Title>
      <Text>
        {shared
          ? `${agent.name} joined the session. They see nothing until you allow them too.`
          : info.type === 'ar'
            ? 'Your camera picture and microphone go to the agent, who can draw on it to show you what to do. You can stop at any time.'
            : cameraInstead
              ? 'This device cannot share its screen. Show the problem with your camera instead: point it at what you need help with. The agent can point and draw on the picture, and you can stop at any time.'
              : 'Your browser will ask which screen or window to share. The agent sees it, can point and draw on it, and you can stop at any time.'}
      </Text>
      {info.recorded && <Text fw={600}>This session is recorded.</Text>}
      {captureError && (
        <Alert color="red" variant="light">
          {captureError}
        </Alert>
      )}
      {/* "Show with camera" is longer than "Deny": each button as wide as its words need. */}
      <Group grow preventGrowOverflow={false}>
        <Button variant="default" onClick={() => deny(agent)}>
          Deny
        </Button>
        <Button onClick={() => void allow(agent)}>{cameraInstead ? 'Show with camera' : 'Allow'}</Button>
      </Group>
    </>
  );

  if (!agentOnline && !shared) {
    return (
      <CenteredCard>
        <Badge variant="light" color="blue" w="fit-content">
          Waiting room
        </Badge>
        <Title order={1} size="h2">
          Waiting for your support agent…
        </Title>
        <Text>
          <strong>{who}</strong> has your request. Keep this page open: an agent will join you here.
        </Text>
        <Text size="sm" c="dimmed">
          Your request: {info.name}
        </Text>
        {state.welcome.session.waitingMessage && (
          // The admin's or agent's words exactly as they typed them, line breaks included.
          <Alert variant="light" title={`Message from ${who}`}>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {state.welcome.session.waitingMessage}
            </Text>
          </Alert>
        )}
        <Group gap="xs">
          <Loader size="xs" type="dots" />
          <Text size="sm" c="dimmed">
            Nothing is shared until you allow it.
          </Text>
        </Group>
        {info.type === 'remote_control' && helperSystem() === 'windows' && (
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

  // In AR the agent "calls" the waiting phone; "Allow after all…" asks plainly, without ringing again.
  if (!shared && asking && info.type === 'ar' && reconsider === null) {
    return (
      <IncomingCall
        agentName={asking.name}
        organization={info.organization.name}
        recorded={info.recorded}
        error={captureError}
        onAccept={() => void allow(asking)}
        onDecline={() => deny(asking)}
      />
    );
  }
  if (!shared && asking) return <CenteredCard>{prompt(asking)}</CenteredCard>;

  if (!shared) {
    const denied = agents.filter((a) => consentOf(a) === 'denied');
    // Allowed a moment ago: the picture is on its way, there is nothing to decide.
    if (denied.length === 0)
      return (
        <CenteredCard>
          <Title order={1} size="h2">
            Starting to share your {what}…
          </Title>
        </CenteredCard>
      );
    return (
      <CenteredCard>
        <Title order={1} size="h2">
          You did not allow access
        </Title>
        <Text c="dimmed">
          {namesOf(denied) || 'The agent'} cannot see your {what}. You can allow access after all.
        </Text>
        <Button onClick={() => setReconsider(denied[0]?.id ?? null)}>Allow after all…</Button>
      </CenteredCard>
    );
  }

  const sessionBar = (
    <Paper
      role="status"
      aria-label="Session active"
      radius={0}
      p="xs"
      px="md"
      bg="red.7"
      c="white"
      pos={camera ? 'relative' : 'sticky'}
      top={0}
      style={{ zIndex: 10, flexShrink: 0 }}
    >
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text fw={600} size="sm">
          {info.recorded ? '● Session active and recorded — ' : '● Session active — '}
          {watching.length
            ? `${namesOf(watching)} can see your ${what}`
            : stream || !agentOnline
              ? 'your agent was disconnected, waiting for them to return'
              : `you are not sharing your ${what}`}
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
              disabled={!agents.some((a) => consentOf(a) === 'allowed')}
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
  );
  const notices = (
    <>
      {asking && (
        <Paper withBorder p="md" shadow="sm">
          <Stack>{prompt(asking)}</Stack>
        </Paper>
      )}
      {captureError && (
        <Alert color="red" variant={camera ? 'filled' : 'light'}>
          {captureError}
        </Alert>
      )}
    </>
  );
  const stage = (
    <MediaStage stream={stream} frozen={state.frozen} label={`Your shared ${what}`} fill={camera}>
      <AnnotationLayer annotations={state.annotations} pointer={state.pointer} />
    </MediaStage>
  );
  const chat = (
    <ChatPanel
      me="customer"
      entries={state.chat}
      onSend={(t) => session.sendChat(t, 'You')}
      overlay={camera}
    />
  );

  const filesPanels = allowedAgents.map((a) => (
    <FilesPanel key={a.id} me="customer" peer={a.name} links={files.linksOf(a.id)} />
  ));

  if (camera) {
    // A phone's camera: the picture fills the screen; chat and files float over it and can be put away.
    const hasMic = (stream?.getAudioTracks().length ?? 0) > 0;
    return (
      <Box h="100dvh" bg="dark.9" style={{ display: 'flex', flexDirection: 'column', overflow: 'hidden' }}>
        {sessionBar}
        <Box pos="relative" style={{ flex: 1, minHeight: 0 }}>
          {stage}
          <Stack pos="absolute" top={8} left={8} right={8} gap="xs" style={{ zIndex: 2 }}>
            {notices}
            {state.frozen && (
              <Badge color="yellow" w="fit-content" size="lg">
                Your agent froze the picture to draw on it
              </Badge>
            )}
          </Stack>
          {(chatOpen || (filesOpen && filesPanels.length > 0)) && (
            <Stack pos="absolute" left={8} right={8} bottom={8} maw={520} gap="xs" style={{ zIndex: 2 }}>
              {filesOpen && (
                <Stack gap="xs" mah="45dvh" style={{ overflowY: 'auto' }}>
                  {filesPanels}
                </Stack>
              )}
              {chatOpen && chat}
            </Stack>
          )}
        </Box>
        <Group justify="center" gap="sm" p="sm" bg="dark.7" style={{ flexShrink: 0 }}>
          {hasMic && (
            <Button
              variant={micMuted ? 'filled' : 'default'}
              color={micMuted ? 'red' : undefined}
              leftSection={micMuted ? <IconMicrophoneOff aria-hidden /> : <IconMicrophone aria-hidden />}
              onClick={() => setMicMuted((m) => !m)}
            >
              {micMuted ? 'Unmute' : 'Mute'}
            </Button>
          )}
          <Button
            variant="default"
            leftSection={chatOpen ? <IconMessageOff aria-hidden /> : <IconMessage aria-hidden />}
            onClick={() => setChatOpen((open) => !open)}
          >
            {chatOpen ? 'Hide chat' : unread > 0 ? `Show chat (${unread} new)` : 'Show chat'}
          </Button>
          {filesPanels.length > 0 && (
            <Button
              variant={!filesOpen && unansweredFiles > 0 ? 'filled' : 'default'}
              leftSection={<IconFiles aria-hidden />}
              onClick={() => setFilesOpen((open) => !open)}
            >
              {filesOpen
                ? 'Hide files'
                : unansweredFiles > 0
                  ? `Files (${unansweredFiles} waiting)`
                  : 'Files'}
            </Button>
          )}
        </Group>
        <AgentAudio stream={agentAudio} />
      </Box>
    );
  }

  return (
    <Stack gap={0} mih="100dvh" bg="gray.0">
      {sessionBar}
      <Container size="lg" w="100%" py="md">
        <Stack>
          {notices}
          <Text size="sm" c="dimmed">
            This is what your agent sees. Their pointer and marks appear here.
          </Text>
          {stage}
          {state.frozen && (
            <Badge color="yellow" w="fit-content">
              Your agent froze the picture to draw on it
            </Badge>
          )}
          <AgentAudio stream={agentAudio} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {chat}
            <Stack>{filesPanels}</Stack>
          </SimpleGrid>
        </Stack>
      </Container>
    </Stack>
  );
}
