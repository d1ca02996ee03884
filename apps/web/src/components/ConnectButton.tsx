import { Button, type ButtonProps } from '@mantine/core';

/**
 * "Connect": the agent client (`links.agent`) in a new tab. Not `noopener`: the tab is one of our own
 * pages, and Chromium opens a tab that keeps its opener in the opener's process, which spares the
 * agent a new process's start-up before the customer is asked.
 */
export function ConnectButton({ href, ...props }: { href: string } & ButtonProps) {
  return (
    <Button component="a" href={href} target="_blank" rel="opener" {...props}>
      Connect
    </Button>
  );
}
