import { Button, type ButtonProps } from '@mantine/core';
import { handOverSession } from '../features/session/early-session.js';

/**
 * "Connect": the agent client (`links.agent`) in a new tab. The click joins the session from this
 * page at once and the tab takes the socket over (early-session.ts), so the customer is asked while
 * the browser is still creating the tab. Not `noopener`: the tab reaches this page through its
 * opener, and Chromium opens a tab that keeps its opener in the opener's process, which spares the
 * agent a new process's start-up.
 */
export function ConnectButton({ href, ...props }: { href: string } & ButtonProps) {
  return (
    <Button
      component="a"
      href={href}
      target="_blank"
      rel="opener"
      onClick={() => handOverSession(href)}
      {...props}
    >
      Connect
    </Button>
  );
}
