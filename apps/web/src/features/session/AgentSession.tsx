import type { Case, ControlInput, Me, TransferDirection } from '@lifeline/contracts';
import {
  Alert,
  Badge,
  Button,
  Container,
  CopyButton,
  Grid,
  Group,
  Loader,
  Modal,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useFullscreenElement } from '@mantine/hooks';
import { IconMaximize, IconMinimize } from '@tabler/icons-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, problemText } from '../../lib/api.js';
import { statusColors, statusLabels } from '../../lib/format.js';
import { AnnotationLayer, type Tool } from './AnnotationLayer.js';
import { ChatPanel } from './ChatPanel.js';
import { ClipboardTools } from './ClipboardTools.js';
import { ControlLayer } from './ControlLayer.js';
import { adoptEarlyAgentPeer } from './early-session.js';
import { FilesPanel, useFileLinks } from './FilesPanel.js';
import { agentTransferReport, type Transfer } from './file-transfer.js';
import { captureFrame, MediaStage, type StageSize } from './MediaStage.js';
import { AgentPeer } from './peer.js';
import { useSessionRecording } from './recording.js';
import type { SessionSocket } from './useSessionSocket.js';

/** The Keyboard Lock API, which TypeScript's DOM types do not describe yet. */
type NavigatorWithKeyboard = Navigator & {
  keyboard?: { lock?: (codes?: string[]) => Promise<void>; unlock: () => void };
};

/**
 * The agent's web client: the customer's screen or camera, pointer and
 * annotations, freeze frame and audio in AR, chat, and "Close case".
 */
export function AgentSession({
  caseInfo,
  me,
  session,
}: {
  caseInfo: Case;
  me: Me;
  /** Opened by the page before the case was read. */
  session: SessionSocket;
}) {
  const { state, send } = session;
  const [remote, setRemote] = useState<MediaStream | null>(null);
  const [tool, setTool] = useState<Tool>('pointer');
  const [micMuted, setMicMuted] = useState(false);
  const [confirmClose, setConfirmClose] = useState(false);
  const [closeError, setCloseError] = useState<string | null>(null);
  const [closing, setClosing] = useState(false);
  const mic = useRef<MediaStream | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const channel = useRef<RTCDataChannel | null>(null);
  const [controlChannel, setControlChannel] = useState<RTCDataChannel | null>(null);
  const [text, setText] = useState('');
  const [size, setSize] = useState<StageSize>('fit');
  const { ref: stageArea, toggle: toggleFullscreen, fullscreen } = useFullscreenElement<HTMLDivElement>();
  /** Whether the Keyboard Lock API holds the system shortcuts for the customer; null when not asked. */
  const [keysLocked, setKeysLocked] = useState<boolean | null>(null);
  const isAr = caseInfo.type === 'ar';
  /** A phone cannot share its screen: its customer shows the camera, whatever the case type. */
  const onPhone = state.customerDevice === 'phone';
  const what = isAr || onPhone ? 'camera' : 'screen';

  const iceServers = state.welcome?.iceServers;
  const icePolicy = state.welcome?.iceTransportPolicy;
  const peer = useRef<AgentPeer | null>(null);
  // The audit trail learns of each file from this page: the bytes never pass the server.
  const reportFile = useCallback(
    (t: Transfer) => send({ type: 'transfer', transfer: agentTransferReport(t) }),
    [send],
  );
  const reportClipboard = useCallback(
    (direction: TransferDirection, characters: number) =>
      send({ type: 'transfer', transfer: { kind: 'clipboard', direction, characters } }),
    [send],
  );
  const files = useFileLinks(state.welcome?.fileTransferMaxBytes, reportFile);
  const attachFiles = files.attach;
  const you = state.welcome?.you;
  useEffect(() => {
    if (!iceServers || !you) return;
    // The connection the early socket already answered, or a new one (after a reconnect).
    const early = adoptEarlyAgentPeer(you);
    const link = early?.peer ?? new AgentPeer(send, { iceServers, iceTransportPolicy: icePolicy });
    link.listen({
      onRemoteStream: setRemote,
      onDataChannel: (c) => {
        channel.current = c;
        setControlChannel(c);
      },
      onFilesChannel: (c) => attachFiles('customer', c),
    });
    peer.current = link;
    // In AR the agent talks too: the microphone joins the answer.
    const local = async () => {
      if (!isAr) return undefined;
      mic.current ??= await navigator.mediaDevices.getUserMedia({ audio: true }).catch(() => null);
      return mic.current ?? undefined;
    };
    for (const m of early?.held ?? []) link.handle(m, local);
    session.onSignal((m) => link.handle(m, local));
    return () => link.close();
  }, [iceServers, icePolicy, you, send, session.onSignal, isAr, attachFiles]);

  // "Deny" ends the connection the customer prepared while deciding.
  useEffect(() => {
    if (state.consent === 'denied') peer.current?.close();
  }, [state.consent]);

  /**
   * The customer shared and then stopped: the agent is told so, and the last frame is not kept
   * (a frozen picture would look like a live one). A customer who leaves or withdraws starts afresh.
   */
  const [stoppedSharing, setStoppedSharing] = useState(false);
  const sharedBefore = useRef(false);
  useEffect(() => {
    if (!state.presence.customer || state.consent !== 'allowed') {
      sharedBefore.current = false;
      setStoppedSharing(false);
    } else if (state.sharing === 'active') {
      sharedBefore.current = true;
      setStoppedSharing(false);
    } else if (sharedBefore.current) {
      setStoppedSharing(true);
    }
  }, [state.presence.customer, state.consent, state.sharing]);

  useEffect(() => {
    for (const t of mic.current?.getAudioTracks() ?? []) t.enabled = !micMuted;
  }, [micMuted]);

  useEffect(
    () => () => {
      for (const t of mic.current?.getTracks() ?? []) t.stop();
    },
    [],
  );

  // In full screen with control, shortcuts such as Alt+Tab or Esc should reach the customer's computer,
  // not the agent's: the Keyboard Lock API takes them where the browser has it (Chromium).
  const controlling = state.control === 'granted' && state.sharing === 'active';
  useEffect(() => {
    if (!fullscreen || !controlling) return;
    const keyboard = (navigator as NavigatorWithKeyboard).keyboard;
    if (!keyboard?.lock) {
      setKeysLocked(false);
      return;
    }
    let current = true;
    keyboard.lock().then(
      () => current && setKeysLocked(true),
      () => current && setKeysLocked(false),
    );
    return () => {
      current = false;
      keyboard.unlock();
      setKeysLocked(null);
    };
  }, [fullscreen, controlling]);

  /** Input goes straight to the helper over the data channel: the hub never carries keystrokes. */
  const sendInput = useCallback((input: ControlInput) => {
    const c = channel.current;
    if (c?.readyState === 'open') c.send(JSON.stringify(input));
  }, []);

  const customerName = caseInfo.customer.name ?? 'The customer';
  const { presence, consent, sharing, control } = state;
  const recorder = useSessionRecording({
    code: caseInfo.code,
    active:
      state.welcome?.session.recorded === true &&
      !state.ended &&
      presence.customer &&
      consent === 'allowed' &&
      sharing === 'active' &&
      remote !== null,
    video,
    annotations: state.annotations,
    frozen: state.frozen,
    audioTracks: () =>
      isAr ? [...(remote?.getAudioTracks() ?? []), ...(mic.current?.getAudioTracks() ?? [])] : [],
  });

  if (state.ended) {
    const ended = state.ended;
    const heading = {
      replaced: 'Session ended',
      closed: 'Case closed',
      expired: 'Case expired',
      deleted: 'Case deleted',
    }[ended];
    const why =
      ended === 'replaced'
        ? 'You opened this session in another tab; it continues there.'
        : ended === 'closed'
          ? `The case is closed. ${customerName} was disconnected and their link no longer works.`
          : ended === 'expired'
            ? `The case expired. ${customerName} was disconnected.`
            : 'The case was deleted, with its audit trail.';
    return (
      <Container size="sm" py="xl">
        <Stack>
          <Paper withBorder p="xl">
            <Stack gap="sm">
              <Title order={1} size="h2">
                {heading}
              </Title>
              <Text>
                {caseInfo.name} · {caseInfo.code}
              </Text>
              <Text c="dimmed">{why}</Text>
              {ended !== 'replaced' && (
                <Group gap="xs">
                  <Button component={Link} to="/">
                    Back to the queue
                  </Button>
                  {ended !== 'deleted' && (
                    <Button component={Link} to={`/cases/${caseInfo.code}`} variant="default">
                      Open the case
                    </Button>
                  )}
                </Group>
              )}
            </Stack>
          </Paper>
          {/* What was said stays readable here; the case's audit trail keeps it for later. */}
          {ended !== 'replaced' && state.chat.length > 0 && (
            <ChatPanel me="agent" entries={state.chat} onSend={() => {}} readOnly />
          )}
        </Stack>
      </Container>
    );
  }
  if (state.refused) {
    return (
      <Container size="sm" py="xl">
        <Alert color="red" title="You cannot join this session">
          {state.refused === 'unauthenticated'
            ? 'Sign in again.'
            : 'This case does not exist or is not yours.'}
        </Alert>
      </Container>
    );
  }

  let stageMessage: string | null = null;
  let stageTitle: string | null = null;
  if (!state.welcome) stageMessage = 'Connecting…';
  else if (!presence.customer) stageMessage = `Waiting for ${customerName} to join…`;
  else if (consent === 'pending')
    stageMessage = `Waiting for ${customerName} to allow access to their ${what}…`;
  else if (consent === 'denied') stageMessage = `${customerName} denied access to their ${what}.`;
  else if (stoppedSharing && sharing === 'paused') {
    stageTitle = `${customerName} paused sharing`;
    stageMessage = `You see nothing of their ${what} until they resume.`;
  } else if (stoppedSharing) {
    stageTitle = `${customerName} stopped sharing`;
    stageMessage = `You no longer see their ${what}. They can share it again from their page, and it appears here.`;
  } else if (sharing !== 'active' || !remote)
    stageMessage = `${customerName} is not sharing their ${what} right now.`;
  const live = stageMessage === null;

  const status = state.status ?? caseInfo.status;
  return (
    <Container size="xl" py="md">
      <Stack gap="md">
        <Group justify="space-between" wrap="wrap">
          <div>
            <Title order={1} size="h3">
              {caseInfo.name}
            </Title>
            <Group gap="xs">
              <Text size="sm" c="dimmed">
                {caseInfo.code} · {isAr ? 'AR camera' : 'Remote screen'} · signed in as {me.user.name}
              </Text>
              <Badge
                color={statusColors[status]}
                variant="light"
                aria-label={`Status: ${statusLabels[status]}`}
              >
                {statusLabels[status]}
              </Badge>
              <Badge color={presence.customer ? 'green' : 'gray'} variant="dot">
                {presence.customer ? 'Customer online' : 'Customer offline'}
              </Badge>
              {onPhone && presence.customer && (
                <Badge color="grape" variant="light">
                  Customer on a phone
                </Badge>
              )}
              {recorder.recording && (
                <Badge color="red" variant="filled" aria-label="This session is being recorded">
                  ● Recording
                </Badge>
              )}
              {state.connection === 'reconnecting' && (
                <Badge color="orange" variant="light">
                  Reconnecting…
                </Badge>
              )}
            </Group>
          </div>
          <Group gap="xs">
            <CopyButton value={caseInfo.links.customer}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? 'Link copied' : 'Copy customer link'}
                </Button>
              )}
            </CopyButton>
            <Button color="red" onClick={() => setConfirmClose(true)}>
              Close case
            </Button>
          </Group>
        </Group>

        {recorder.problem && (
          <Alert color="orange" variant="light" title="Recording">
            {recorder.problem}
          </Alert>
        )}
        {onPhone && !isAr && presence.customer && (
          <Alert color="grape" variant="light" title={`${customerName} is on a phone`}>
            A phone cannot share its screen: {customerName} shows you the problem with their camera instead.
            You can point and draw on the picture; remote control needs a computer.
          </Alert>
        )}
        <Grid>
          <Grid.Col span={{ base: 12, md: 8 }}>
            {/* What goes full screen: the tools, the picture and the typing field, on a plain background. */}
            <Stack
              gap="xs"
              ref={stageArea}
              bg={fullscreen ? 'white' : undefined}
              p={fullscreen ? 'md' : 0}
              h={fullscreen ? '100dvh' : undefined}
            >
              <Group gap="xs" wrap="wrap">
                <SegmentedControl
                  aria-label="Annotation tool"
                  value={tool}
                  onChange={(v) => setTool(v as Tool)}
                  data={[
                    { value: 'pointer', label: 'Pointer' },
                    { value: 'arrow', label: 'Arrow' },
                    { value: 'draw', label: 'Draw' },
                  ]}
                />
                <Button
                  variant="default"
                  onClick={session.clearAnnotations}
                  disabled={!state.annotations.length}
                >
                  Clear
                </Button>
                {live && control !== null && (
                  <>
                    {control === 'granted' ? (
                      <Button color="orange" onClick={() => send({ type: 'control', action: 'release' })}>
                        Release control
                      </Button>
                    ) : (
                      <Button
                        onClick={() => send({ type: 'control', action: 'request' })}
                        loading={control === 'requested'}
                        loaderProps={{ type: 'dots' }}
                      >
                        Request control
                      </Button>
                    )}
                    <Text size="sm" c="dimmed" role="status" aria-label="Remote control">
                      {control === 'granted'
                        ? `You control ${customerName}'s mouse and keyboard`
                        : control === 'requested'
                          ? `Waiting for ${customerName} to allow control…`
                          : control === 'denied'
                            ? `${customerName} refused control`
                            : 'QuickSupport: control available on request'}
                    </Text>
                    {control === 'granted' && state.desktop === 'windows' && (
                      <Text size="sm" c="dimmed">
                        Ctrl+Alt+Del cannot be sent to Windows: it is reserved for Windows itself and no
                        program may send it. Ask {customerName} to press it if needed.
                      </Text>
                    )}
                  </>
                )}
                {isAr && (
                  <>
                    <Button
                      variant={state.frozen ? 'filled' : 'default'}
                      // The frame this page shows is the one both sides freeze on.
                      onClick={() => session.setFrozen(state.frozen ? null : captureFrame(video.current))}
                    >
                      {state.frozen ? 'Unfreeze' : 'Freeze frame'}
                    </Button>
                    <Tooltip label="Your microphone: the customer hears you">
                      <Button variant="default" onClick={() => setMicMuted((m) => !m)}>
                        {micMuted ? 'Unmute microphone' : 'Mute microphone'}
                      </Button>
                    </Tooltip>
                  </>
                )}
                <Group gap="xs" ml="auto" wrap="nowrap">
                  <SegmentedControl
                    aria-label="Picture size"
                    value={size}
                    onChange={(v) => setSize(v as StageSize)}
                    data={[
                      { value: 'fit', label: 'Fit to window' },
                      { value: 'actual', label: '1:1' },
                    ]}
                  />
                  <Button
                    variant="default"
                    leftSection={fullscreen ? <IconMinimize size={16} /> : <IconMaximize size={16} />}
                    onClick={() => void toggleFullscreen()}
                  >
                    {fullscreen ? 'Exit full screen' : 'Full screen'}
                  </Button>
                </Group>
              </Group>
              {fullscreen && controlling && keysLocked !== null && (
                <Text size="sm" c="dimmed" role="status" aria-label="Keyboard">
                  {keysLocked
                    ? `Shortcuts such as Alt+Tab and Esc go to ${customerName}'s computer. Press and hold Esc to leave full screen.`
                    : `This browser keeps system shortcuts such as Alt+Tab for itself; other keys go to ${customerName}'s computer.`}
                </Text>
              )}
              {/* Only a live picture is shown: after "Stop sharing" the last frame must not linger. */}
              <MediaStage
                stream={live ? remote : null}
                frozen={state.frozen}
                muted={!isAr}
                label={`Customer's ${what}`}
                size={size}
                // Full screen gives the picture all the height the tools above (and the typing field) leave.
                maxHeight={fullscreen ? `calc(100dvh - ${controlling ? 190 : 90}px)` : '70vh'}
                videoRef={video}
              >
                {live && control === 'granted' ? (
                  <ControlLayer send={sendInput} />
                ) : live ? (
                  <AnnotationLayer
                    annotations={state.annotations}
                    pointer={null}
                    tool={tool}
                    onAnnotate={session.annotate}
                    onPointer={(at) => send({ type: 'pointer', at })}
                  />
                ) : (
                  <Stack pos="absolute" inset={0} align="center" justify="center" p="md" gap="xs">
                    {stageMessage?.endsWith('…') && <Loader color="gray" size="sm" />}
                    {stageTitle && (
                      <Title order={2} size="h3" c="white" ta="center">
                        {stageTitle}
                      </Title>
                    )}
                    <Text c="gray.3" ta="center" role="status">
                      {stageMessage}
                    </Text>
                  </Stack>
                )}
              </MediaStage>
              {live && control === 'granted' && (
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (!text) return;
                    sendInput({ type: 'text', text });
                    setText('');
                  }}
                >
                  <Group gap="xs" align="flex-end">
                    <TextInput
                      label="Type on the customer's computer"
                      description="Sent as typed text, e.g. a long path or a pasted command"
                      value={text}
                      onChange={(e) => setText(e.currentTarget.value)}
                      maxLength={2000}
                      style={{ flex: 1 }}
                    />
                    <Button type="submit" variant="default" disabled={!text}>
                      Send text
                    </Button>
                  </Group>
                </form>
              )}
              {live && control === 'granted' && (
                <ClipboardTools
                  channel={controlChannel}
                  customerName={customerName}
                  onTransfer={reportClipboard}
                />
              )}
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Stack>
              <Paper withBorder p="sm">
                <Text size="sm" fw={600}>
                  Customer
                </Text>
                <Text size="sm">{caseInfo.customer.name ?? 'No name given'}</Text>
                <Text size="sm" c="dimmed">
                  {[caseInfo.customer.email, caseInfo.customer.phone].filter(Boolean).join(' · ') ||
                    'No contact details'}
                </Text>
                <Text size="sm" mt="xs">
                  Session code <strong>{caseInfo.code}</strong>
                </Text>
              </Paper>
              <FilesPanel
                me="agent"
                peer={customerName}
                links={files.linksOf('customer')}
                unavailable={
                  consent === 'allowed' && presence.customer
                    ? null
                    : `Files can be exchanged once ${customerName} is here and allowed access.`
                }
              />
              <ChatPanel
                me="agent"
                entries={state.chat}
                onSend={(t) => session.sendChat(t, me.user.name)}
                disabled={!presence.customer}
              />
            </Stack>
          </Grid.Col>
        </Grid>
      </Stack>

      <Modal opened={confirmClose} onClose={() => setConfirmClose(false)} title="Close this case?" centered>
        <Stack>
          <Text size="sm">
            {customerName} is disconnected at once and the invitation link and code stop working. This cannot
            be undone.
          </Text>
          {closeError && (
            <Alert color="red" variant="light">
              {closeError}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmClose(false)}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={closing}
              onClick={async () => {
                setClosing(true);
                setCloseError(null);
                try {
                  await api.cases.close(caseInfo.code);
                  setConfirmClose(false);
                } catch (err) {
                  setCloseError(problemText(err));
                } finally {
                  setClosing(false);
                }
              }}
            >
              Close case
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Container>
  );
}
