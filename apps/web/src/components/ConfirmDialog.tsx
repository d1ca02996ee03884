import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { problemText } from '../lib/api.js';

/**
 * Asks before something that cannot be undone (closing or deleting a case,
 * deleting an endpoint, an app or a module), and shows the server's refusal
 * in place when it comes, so the person sees why nothing happened.
 */
export function ConfirmDialog(props: {
  opened: boolean;
  title: string;
  explanation: string;
  confirmLabel: string;
  pending: boolean;
  error: unknown;
  onConfirm: () => void;
  onCancel: () => void;
  /** More to ask before confirming (e.g. a closing note). */
  children?: ReactNode;
}) {
  // The dialog fades out after what it asked about is gone: its title keeps naming it meanwhile.
  const [title, setTitle] = useState(props.title);
  if (props.opened && props.title !== title) setTitle(props.title);
  return (
    <Modal opened={props.opened} onClose={props.onCancel} title={title} centered>
      <Stack>
        <Text size="sm">{props.explanation}</Text>
        {props.children}
        {props.error ? (
          <Alert color="red" variant="light" role="alert">
            {problemText(props.error)}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onCancel}>
            Cancel
          </Button>
          <Button color="red" loading={props.pending} onClick={props.onConfirm}>
            {props.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
