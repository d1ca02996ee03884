import type { ControlState } from '@lifeline/contracts';
import { z } from 'zod';
import type { FilesView } from './files.js';

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
  /** Files with the agent: offers to answer, requests, progress. */
  files: FilesView;
  /** The last things the agent did with files and the clipboard, latest last. */
  notices: string[];
}

export const actions = ['allow', 'deny', 'grant', 'refuse', 'take-back', 'pause', 'resume', 'end'] as const;
export type Action = (typeof actions)[number];

const transferId = z.string().min(1).max(64);
/** The person's answers about files, from the local page or the terminal. */
export const fileCommand = z.discriminatedUnion('do', [
  z.strictObject({ do: z.enum(['accept', 'decline', 'cancel', 'decline-request']), id: transferId }),
  /** Offers the file at `path`, as the answer to the agent's `request` if given. */
  z.strictObject({
    do: z.literal('send'),
    path: z.string().min(1).max(4096),
    request: transferId.optional(),
  }),
]);
export type FileCommand = z.infer<typeof fileCommand>;

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
