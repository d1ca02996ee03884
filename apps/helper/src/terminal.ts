import readline from 'node:readline';
import type { Action, ConsentUi, FileCommand, View } from './view.js';

/**
 * The same prompts in the terminal, for machines without a browser (or
 * `--no-browser`): one line per change, and one-letter answers on stdin.
 */
export class TerminalUi implements ConsentUi {
  private last = '';
  private readonly rl: readline.Interface | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream,
    input: NodeJS.ReadableStream | undefined,
    private readonly onAction: (action: Action) => void,
    private readonly onFile: (command: FileCommand) => Promise<string | undefined>,
  ) {
    if (!input) return;
    this.rl = readline.createInterface({ input, terminal: false });
    this.rl.on('line', (line) => this.answer(line.trim()));
  }

  private prompt: 'consent' | 'control' | 'active' | 'denied' | 'none' = 'none';
  /** The file offer or request a line answers, if any: it comes before the other prompts. */
  private offer: string | undefined;
  private request: string | undefined;
  private notices: string[] = [];
  private readonly told = new Set<string>();
  private paused = false;
  private controlGranted = false;

  private answer(raw: string) {
    const line = raw.toLowerCase();
    if (this.offer && (line === 'y' || line === 'n')) {
      void this.onFile({ do: line === 'y' ? 'accept' : 'decline', id: this.offer });
      return;
    }
    if (this.request && line === 'n') {
      void this.onFile({ do: 'decline-request', id: this.request });
      return;
    }
    if (this.request && raw.length > 1) {
      void this.onFile({ do: 'send', path: raw, request: this.request });
      return;
    }
    const byPrompt: Record<string, Record<string, Action>> = {
      consent: { a: 'allow', allow: 'allow', d: 'deny', deny: 'deny' },
      control: { a: 'grant', allow: 'grant', r: 'refuse', refuse: 'refuse' },
      active: { t: 'take-back', take: 'take-back', p: 'pause', s: 'resume' },
      denied: { a: 'allow', allow: 'allow' },
    };
    const action = byPrompt[this.prompt]?.[line] ?? (line === 'e' || line === 'end' ? 'end' : undefined);
    if (action) this.onAction(action);
    else if (line) this.out.write(`Not understood: "${line}". ${this.hint()}\n`);
  }

  private hint() {
    switch (this.prompt) {
      case 'consent':
        return 'Type a (allow) or d (deny), then Enter.';
      case 'control':
        return 'Type a (allow control) or r (refuse), then Enter. e ends the session.';
      case 'active':
        return this.paused
          ? 'Type s to share again, e to end the session.'
          : `Type p to pause sharing,${this.controlGranted ? ' t to take back control,' : ''} e to end the session.`;
      case 'denied':
        return 'Type a to allow after all, e to end the session.';
      default:
        return 'Type e to end the session.';
    }
  }

  show(v: View) {
    this.prompt =
      v.phase === 'consent'
        ? 'consent'
        : v.phase === 'active' && v.control === 'requested'
          ? 'control'
          : v.phase === 'active'
            ? 'active'
            : v.phase === 'denied'
              ? 'denied'
              : 'none';
    this.paused = v.paused;
    // Files and the clipboard: each notice, offer and request once, not every progress update.
    for (const n of v.notices.filter((n) => !this.notices.includes(n))) this.out.write(`${n}\n`);
    this.notices = v.notices;
    const offer = v.files.transfers.find((t) => t.direction === 'in' && t.state === 'offered');
    this.offer = offer?.id;
    this.request = v.files.open ? v.files.requests[0] : undefined;
    const agent = v.agentName ?? 'Your agent';
    if (offer && !this.told.has(offer.id)) {
      this.told.add(offer.id);
      this.out.write(
        `${agent} wants to send you ${offer.name} (${offer.size} bytes). Type y to save it in ${v.files.folder}, n to decline.\n`,
      );
    }
    if (this.request && !this.told.has(this.request)) {
      this.told.add(this.request);
      this.out.write(`${agent} asks you for a file. Type its full path, or n to send none.\n`);
    }
    this.controlGranted = v.control === 'granted';
    const lines = [v.phase === 'active' ? `● Session active — ${v.message}` : v.message];
    if (v.prompt) lines.push(v.prompt);
    if (v.phase !== 'ended') lines.push(`  ${this.hint()}`);
    const text = lines.join('\n');
    if (text === this.last) return;
    this.last = text;
    this.out.write(`${text}\n`);
  }

  close() {
    this.rl?.close();
  }
}
