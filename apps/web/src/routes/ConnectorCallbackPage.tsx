import { Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { CenteredCard } from '../components/CenteredCard.js';
import { OAUTH_MESSAGE } from '../features/connector/oauth.js';

/**
 * Where the authorisation ends (the connector's sign-in tab): hands the code,
 * or the error, to the connector frame that opened this tab — only if that
 * frame is Lifeline's own origin — and closes. The frame checks the state.
 */
export function ConnectorCallbackPage() {
  const [delivered, setDelivered] = useState<boolean | null>(null);
  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    const opener = window.opener as Window | null;
    if (!opener) {
      setDelivered(false);
      return;
    }
    opener.postMessage(
      {
        type: OAUTH_MESSAGE,
        state: params.get('state'),
        code: params.get('code'),
        error: params.get('error'),
        errorDescription: params.get('error_description'),
      },
      // An explicit target: if the opener navigated elsewhere meanwhile, the browser drops the message.
      window.location.origin,
    );
    setDelivered(true);
    window.close();
  }, []);
  const denied = new URLSearchParams(window.location.search).has('error');
  return (
    <CenteredCard>
      <Title order={1} size="h2">
        {denied ? 'Sign-in cancelled' : 'Signed in'}
      </Title>
      <Text>
        {delivered === false
          ? 'The connector that asked for this sign-in is gone. Press "Login" in your CRM again.'
          : 'You can close this tab and go back to your CRM.'}
      </Text>
    </CenteredCard>
  );
}
