import {
  type ClientMessage,
  CONTROL_CHANNEL,
  type ControlState,
  closeCodes,
  FILES_CHANNEL,
  type HelperDesktop,
  type PresentAgent,
  type ServerMessage,
  serverMessage,
} from '@lifeline/contracts';
import {
  MediaStreamTrack,
  ReceiverEstimatedMaxBitrate,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  type RTCRtpSender,
  RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
} from 'werift';
import WebSocket from 'ws';
import { AdaptivePolicy } from './adapt.js';
import { type ClipboardAdapter, ClipboardGate } from './clipboard.js';
import { FileRefusedError, HelperFiles } from './files.js';
import type { InputSink, ScreenCapture } from './platform.js';
import { RemoteControl } from './remote-control.js';
import { PLAYOUT_DELAY_URI, ScreenStream, type Spawn } from './screen-stream.js';
import { type Action, type ConsentUi, type FileCommand, type View, wording } from './view.js';

export interface SessionDeps {
  /** Base address of the Lifeline server, e.g. https://support.example.com/ */
  server: URL;
  token: string;
  capture: ScreenCapture;
  sink: InputSink;
  /** The desktop's clipboard, which the agent may read or fill while control is granted. */
  clipboard: ClipboardAdapter | undefined;
  /** Where files from the agent are saved (the person's Downloads folder); none: files are declined. */
  downloads: string | undefined;
  /** Told to the agent's page with each control state. */
  desktop: HelperDesktop;
  spawn: Spawn;
  log: (line: string) => void;
  now?: () => number;
}

export type SessionEnd = { code: number; reason: string };

type Welcome = Extract<ServerMessage, { type: 'welcome' }>;
type Signal = Extract<ServerMessage, { type: 'signal' }>;

/** Remembers an allowed agent across their reconnects: the same person, not the same socket. */
const personOf = (a: PresentAgent) => a.userId ?? a.name;

/**
 * The customer's side of one live session, as a desktop program: the hub
 * socket, a consent prompt per agent, and — only after "Allow" and once that
 * agent's browser is connected — the screen stream; control is injected only
 * after the person grants it, and taken back whenever they want. The screen
 * goes to one agent at a time: the one the person allowed last.
 */
export class HelperSession {
  private ws: WebSocket | undefined;
  private welcome: Welcome | undefined;
  private decision: 'undecided' | 'allowed' | 'denied' = 'undecided';
  private paused = false;
  private agents: PresentAgent[] = [];
  /** Agents allowed on this connection; one who reconnects is let in again without asking. */
  private readonly allowedPeople = new Set<string>();
  /** The agent connection the screen goes to. */
  private viewer: PresentAgent | undefined;
  private control: ControlState = 'off';
  private pc: RTCPeerConnection | undefined;
  private stream: ScreenStream | undefined;
  private ending = false;
  private attempt = 0;
  private readonly uis: ConsentUi[] = [];
  private readonly remote: RemoteControl;
  private readonly clipboard: ClipboardGate;
  private readonly files: HelperFiles;
  /** What the agent did with files and the clipboard, latest last: the person sees each one. */
  private notices: string[] = [];
  private over = false;
  private readonly now: () => number;
  private signals: Promise<void> = Promise.resolve();
  private resolveEnd!: (end: SessionEnd) => void;
  /** Resolves when the session is over, with the exit code the program should end with. */
  readonly ended = new Promise<SessionEnd>((resolve) => {
    this.resolveEnd = resolve;
  });

  constructor(private readonly deps: SessionDeps) {
    this.remote = new RemoteControl(deps.sink);
    const notify = (line: string) => this.notify(line);
    this.clipboard = new ClipboardGate(deps.clipboard, notify);
    this.files = new HelperFiles({
      folder: deps.downloads,
      maxBytes: () => this.welcome?.fileTransferMaxBytes ?? 0,
      onChange: () => this.render(),
      notify,
      agent: () => this.viewer?.name ?? 'Your agent',
    });
    this.now = deps.now ?? Date.now;
  }

  addUi(ui: ConsentUi) {
    this.uis.push(ui);
    ui.show(this.view());
  }

  start() {
    this.connect();
    return this.ended;
  }

  private connect() {
    const url = new URL('ws/session', this.deps.server);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', this.deps.token);
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.on('message', (data) => {
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        return;
      }
      const parsed = serverMessage.safeParse(json);
      if (parsed.success) this.onMessage(parsed.data);
    });
    ws.on('error', (err) => this.deps.log(`Connection problem: ${err.message}`));
    ws.on('close', (code) => {
      if (this.ws !== ws || this.ending) return;
      this.stopMedia();
      if (code === closeCodes.notFound) return this.finish(3, 'This invitation link is not valid.');
      if (code === closeCodes.gone || code === closeCodes.ended) {
        return this.finish(0, 'This support session has ended.');
      }
      // A dropped connection is retried; the hub asks for consent again on the new one, and so do we.
      const delay = Math.min(10_000, 500 * 2 ** this.attempt++);
      this.welcome = undefined;
      this.decision = 'undecided';
      this.allowedPeople.clear();
      this.viewer = undefined;
      this.render(`Connection lost, trying again in ${Math.round(delay / 1000)} s…`);
      setTimeout(() => this.connect(), delay);
    });
  }

  private send(m: ClientMessage) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  private onMessage(m: ServerMessage) {
    switch (m.type) {
      case 'welcome':
        this.attempt = 0;
        this.welcome = m;
        this.decision = 'undecided';
        this.paused = false;
        this.allowedPeople.clear();
        this.viewer = undefined;
        this.onPresence(m.presence.agents);
        return;
      case 'presence':
        return this.onPresence(m.presence.agents);
      case 'signal':
        return this.onSignal(m);
      case 'control':
        if (m.from !== this.viewer?.id) return;
        return this.onControlRequest(m.action);
      case 'chat':
        this.deps.log(`${m.name}: ${m.text}`);
        return;
      case 'ended':
        this.ending = true;
        this.stopMedia();
        return this.finish(
          0,
          m.reason === 'replaced'
            ? 'This support session continues in another window (or another QuickSupport).'
            : 'This support session has ended.',
        );
      case 'error':
        this.deps.log(`The server refused a message: ${m.message}`);
        return;
      default:
        return;
    }
  }

  private get agentOnline() {
    return this.agents.length > 0;
  }

  /** The agent the prompt asks about: the first one the person has not answered yet. */
  private get asking(): PresentAgent | undefined {
    return this.agents.find((a) => a.consent === 'pending');
  }

  private onPresence(agents: PresentAgent[]) {
    this.agents = agents;
    const viewer = this.viewer && agents.find((a) => a.id === this.viewer?.id);
    if (this.viewer && !viewer) {
      // Nothing goes out while nobody watches; control ends with the agent's connection.
      this.stopMedia();
      // Another agent the person allowed takes over the picture.
      this.viewer = agents.find((a) => a.consent === 'allowed');
      if (this.viewer && !this.paused) void this.startMedia();
    }
    // The same person, back on a new connection, gets the picture again; anyone else is asked.
    const returning = this.asking;
    if (returning && this.decision === 'allowed' && this.allowedPeople.has(personOf(returning))) {
      this.allowAgent(returning);
    }
    this.render();
  }

  private allowAgent(agent: PresentAgent) {
    this.decision = 'allowed';
    this.allowedPeople.add(personOf(agent));
    agent.consent = 'allowed';
    this.send({ type: 'consent', decision: 'allow', agent: agent.id });
    if (this.viewer?.id !== agent.id) {
      this.stopMedia();
      this.viewer = agent;
    }
    if (!this.paused) void this.startMedia();
  }

  /** A button in the local page or a line in the terminal. */
  act(action: Action) {
    switch (action) {
      case 'allow': {
        const agent = this.asking ?? this.agents.find((a) => a.consent === 'denied');
        if (!agent) return;
        this.allowAgent(agent);
        return this.render();
      }
      case 'deny': {
        const agent = this.asking;
        if (!agent) return;
        if (this.decision === 'undecided') this.decision = 'denied';
        agent.consent = 'denied';
        this.send({ type: 'consent', decision: 'deny', agent: agent.id });
        return this.render();
      }
      case 'grant':
        if (this.control !== 'requested' || !this.stream) return;
        return this.setControl('granted');
      case 'refuse':
        if (this.control !== 'requested') return;
        return this.setControl('denied');
      case 'take-back':
        if (this.control !== 'granted') return;
        return this.setControl('off');
      case 'pause':
        if (this.decision !== 'allowed' || this.paused) return;
        this.paused = true;
        this.stopMedia();
        this.send({ type: 'sharing', state: 'paused' });
        return this.render();
      case 'resume':
        if (this.decision !== 'allowed' || !this.paused) return;
        this.paused = false;
        if (this.viewer) void this.startMedia();
        return this.render();
      case 'end':
        this.ending = true;
        this.stopMedia();
        this.send({ type: 'sharing', state: 'off' });
        this.ws?.close(1000, 'left');
        return this.finish(0, 'You ended the support session.');
    }
  }

  /** A file answer from the local page or the terminal; answers why it could not be done, if so. */
  async file(command: FileCommand): Promise<string | undefined> {
    if (command.do !== 'send') {
      const verbs = {
        accept: (id: string) => this.files.accept(id),
        decline: (id: string) => this.files.decline(id),
        cancel: (id: string) => this.files.cancel(id),
        'decline-request': (id: string) => this.files.declineRequest(id),
      };
      verbs[command.do](command.id);
      return undefined;
    }
    try {
      await this.files.offer(command.path, command.request);
      return undefined;
    } catch (err) {
      if (!(err instanceof FileRefusedError)) throw err;
      this.notify(`Not sent: ${err.message}`);
      return err.message;
    }
  }

  private notify(line: string) {
    this.deps.log(line);
    this.notices = [...this.notices.slice(-4), line];
    this.render();
  }

  private onControlRequest(action: 'request' | 'release') {
    if (action === 'release') return this.setControl('off');
    // Asked while sharing only; a second request while one is open or granted changes nothing.
    if (!this.stream || this.control === 'requested' || this.control === 'granted') return;
    this.setControl('requested');
  }

  private setControl(state: ControlState) {
    this.control = state;
    this.remote.setGranted(state === 'granted');
    this.clipboard.setGranted(state === 'granted');
    this.send({
      type: 'control-state',
      state,
      desktop: this.deps.desktop,
      ...(this.viewer ? { to: this.viewer.id } : {}),
    });
    this.render();
  }

  private async startMedia() {
    const welcome = this.welcome;
    const viewer = this.viewer;
    if (!welcome || !viewer || this.pc) return;
    const pc = new RTCPeerConnection({
      iceServers: welcome.iceServers,
      // Relay-only deployments keep the customer's addresses from the agent; the helper honours it too.
      iceTransportPolicy: welcome.iceTransportPolicy ?? 'all',
      codecs: {
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/VP8',
            clockRate: 90_000,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }],
          }),
        ],
        audio: [],
      },
      headerExtensions: {
        video: [new RTCRtpHeaderExtensionParameters({ id: 9, uri: PLAYOUT_DELAY_URI })],
        audio: [],
      },
    });
    this.pc = pc;
    const track = new MediaStreamTrack({ kind: 'video' });
    const sender = pc.addTrack(track);
    const channel = pc.createDataChannel(CONTROL_CHANNEL, { ordered: true });
    channel.onMessage.subscribe((data) => {
      const request = this.clipboard.parse(data);
      if (!request) return void this.remote.handle(typeof data === 'string' ? data : undefined);
      void this.clipboard.handle(request, this.viewer?.name ?? 'Your agent').then((reply) => {
        if (channel.readyState === 'open') channel.send(JSON.stringify(reply));
      });
    });
    // Files too, on the same connection: it exists only once the person allowed this agent.
    const files = pc.createDataChannel(FILES_CHANNEL, { ordered: true });
    files.onMessage.subscribe((data) => {
      if (this.pc === pc) this.files.receive(data);
    });
    files.stateChanged.subscribe((state) => {
      if (this.pc !== pc) return;
      if (state === 'open') this.files.attach(files);
      if (state === 'closed') this.files.detach(files);
    });
    pc.connectionStateChange.subscribe((state) => {
      if (this.pc !== pc) return;
      if (state === 'connected') this.startScreen(pc, track, sender);
      if (state === 'failed') {
        this.deps.log('The connection to the agent failed.');
        this.stopMedia();
        this.render();
      }
    });
    await pc.setLocalDescription(await pc.createOffer());
    const d = pc.localDescription;
    if (this.pc !== pc || !d) return;
    this.send({ type: 'signal', to: viewer.id, description: { type: 'offer', sdp: d.sdp } });
  }

  /** ffmpeg starts only now: after "Allow", and once the agent's browser is there to receive. */
  private startScreen(pc: RTCPeerConnection, track: MediaStreamTrack, sender: RTCRtpSender) {
    if (this.stream) return;
    const policy = new AdaptivePolicy(this.now);
    const stream = new ScreenStream(
      this.deps.capture,
      track,
      sender,
      this.deps.spawn,
      policy.current,
      this.now,
    );
    this.stream = stream;
    stream.onFailure = (reason) => {
      this.deps.log(reason);
      this.stopMedia();
      this.send({ type: 'sharing', state: 'off' });
      this.render('Your screen could not be captured; the agent sees nothing.');
    };
    sender.onPictureLossIndication.subscribe(() => {
      if (this.stream === stream && stream.requestKeyframe())
        this.deps.log('The agent lost the picture: sending a keyframe.');
    });
    sender.onRtcp.subscribe((packet) => {
      let level: ReturnType<AdaptivePolicy['report']>;
      if (packet instanceof RtcpRrPacket) {
        const report = packet.reports.find((r) => r.ssrc === sender.ssrc);
        if (report) level = policy.report({ fractionLost: report.fractionLost / 256 });
      } else if (
        packet instanceof RtcpPayloadSpecificFeedback &&
        packet.feedback instanceof ReceiverEstimatedMaxBitrate
      ) {
        level = policy.report({
          estimatedBitrate: Number(packet.feedback.bitrate),
          sendingBitrate: stream.sendingBitrate,
        });
      }
      if (level && this.stream === stream) {
        this.deps.log(
          `Adapting the picture to the link: ${Math.round(level.scale * 100)} %, ${level.fps} frames/s.`,
        );
        stream.setLevel(level);
      }
    });
    void stream.start().then(() => {
      if (this.pc !== pc) return;
      this.send({ type: 'sharing', state: 'active' });
      this.send({
        type: 'control-state',
        state: this.control,
        desktop: this.deps.desktop,
        ...(this.viewer ? { to: this.viewer.id } : {}),
      });
      this.render();
    });
  }

  private onSignal(m: Signal) {
    const pc = this.pc;
    if (!pc || m.from !== this.viewer?.id) return;
    this.signals = this.signals
      .then(async () => {
        if (m.description?.type === 'answer') await pc.setRemoteDescription(m.description);
        else if (m.candidate?.candidate) await pc.addIceCandidate(m.candidate);
      })
      .catch((err: unknown) => this.deps.log(`WebRTC signalling failed: ${String(err)}`));
  }

  private stopMedia() {
    if (this.control !== 'off') {
      this.control = 'off';
      this.remote.setGranted(false);
      this.clipboard.setGranted(false);
      this.send({
        type: 'control-state',
        state: 'off',
        desktop: this.deps.desktop,
        ...(this.viewer ? { to: this.viewer.id } : {}),
      });
    }
    this.stream?.stop();
    this.stream = undefined;
    this.files.detach();
    const pc = this.pc;
    this.pc = undefined;
    void pc?.close();
  }

  private finish(code: number, reason: string) {
    this.stopMedia();
    this.render(reason, true);
    this.over = true;
    this.resolveEnd({ code, reason });
  }

  private view(message?: string, ended = false): View {
    const w = this.welcome;
    const asking = this.asking;
    const viewerName = this.viewer?.name ?? 'Your agent';
    const phase: View['phase'] = ended
      ? 'ended'
      : !w
        ? 'connecting'
        : asking
          ? 'consent'
          : !this.agentOnline
            ? this.decision === 'allowed'
              ? 'active'
              : 'waiting'
            : this.viewer
              ? 'active'
              : 'denied';
    const denied = this.agents.find((a) => a.consent === 'denied')?.name ?? 'The agent';
    const defaults: Record<View['phase'], string> = {
      connecting: 'Connecting to your support organisation…',
      waiting: 'Waiting for your support agent… Nothing is shared until you allow it.',
      consent: this.stream
        ? `${viewerName} can see your screen`
        : `${asking?.name ?? 'Your agent'} has joined.`,
      denied: `You did not allow access. ${denied} cannot see your screen.`,
      active: !this.viewer
        ? 'your agent was disconnected, waiting for them to return'
        : this.paused
          ? `sharing is paused: ${viewerName} sees nothing until you resume`
          : this.control === 'granted'
            ? `${viewerName} can see your screen and control your mouse and keyboard`
            : this.stream
              ? `${viewerName} can see your screen`
              : 'starting to share your screen…',
      ended: 'The session is over.',
    };
    const base = {
      organization: w?.session.organization.name ?? '',
      recorded: w?.session.recorded ?? false,
      sessionName: w?.session.name ?? '',
      code: w?.session.code ?? '',
      agentName: (phase === 'consent' ? asking?.name : this.viewer?.name) ?? null,
      sharing: Boolean(this.stream),
      paused: this.paused,
      control: this.control,
    };
    const prompt =
      phase === 'consent'
        ? wording.consent(base)
        : phase === 'active' && this.control === 'requested'
          ? wording.control(base)
          : null;
    return {
      ...base,
      phase,
      prompt,
      message: message ?? defaults[phase],
      files: this.files.view(),
      notices: this.notices,
    };
  }

  private render(message?: string, ended = false) {
    if (this.over) return;
    const v = this.view(message, ended);
    for (const ui of this.uis) ui.show(v);
  }
}
