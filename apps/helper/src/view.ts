import type { ControlState } from '@lifeline/contracts';

/** What the person at this computer sees, in the local page and in the terminal alike. */
export interface View {
  phase: 'connecting' | 'waiting' | 'consent' | 'active' | 'denied' | 'ended';
  organization: string;
  /** The organisation records its sessions: the consent prompt says so. */
  recorded: boolean;
  sessionName: string;
  code: string;
  agentName: string | null;
  /** The screen is being sent to the agent right now. */
  sharing: boolean;
  /** The person paused sharing: the session stays, the agent sees nothing until they resume. */
  paused: boolean;
  control: ControlState;
  /** One line saying where things stand. */
  message: string;
  /** The question waiting for an answer ("Allow … to see your screen?"), if any. */
  prompt: string | null;
}

export const actions = ['allow', 'deny', 'grant', 'refuse', 'take-back', 'pause', 'resume', 'end'] as const;
export type Action = (typeof actions)[number];

/** The two questions, worded once: the session puts them in the view both interfaces show. */
type Who = Pick<View, 'agentName' | 'organization'>;
export const wording = {
  consent: (v: Who & Pick<View, 'recorded'>) =>
    `Allow ${v.agentName ?? 'your agent'} from ${v.organization} to see your screen?${v.recorded ? ' This session is recorded.' : ''}`,
  control: (v: Who) => `${v.agentName ?? 'Your agent'} asks to control your mouse and keyboard.`,
};

/** Where a person can answer: the local page and the terminal both implement it. */
export interface ConsentUi {
  show(view: View): void;
  close(): void;
}
