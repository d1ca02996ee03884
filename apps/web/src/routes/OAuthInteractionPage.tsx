import { endpoints, type LoginRequest, type OAuthInteraction } from '@lifeline/contracts';
import {
  Alert,
  Button,
  Group,
  List,
  Loader,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { CenteredCard } from '../components/CenteredCard.js';
import { api, problemText } from '../lib/api.js';
import { keys } from '../lib/query-keys.js';

// The steps of this page sit under its own path, where the provider's interaction cookie is
// sent; they are same-origin JSON calls, so the cookie of this first-party tab travels by itself.

/** Sign-in and consent for a connector app (OAuth authorisation), in a tab of its own. */
export function OAuthInteractionPage() {
  const { uid = '' } = useParams();
  const steps = endpoints.oauthInteraction;
  const params = { uid };
  const details = useQuery({
    queryKey: keys.oauthInteraction(uid),
    queryFn: () => api.call(steps.details, { params }),
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const go = async (action: 'login' | 'continue' | 'allow' | 'deny', body: LoginRequest | object = {}) => {
    setBusy(action);
    setError(null);
    try {
      const { redirectTo } = await api.call(steps[action], { params, body: body as LoginRequest & object });
      window.location.assign(redirectTo);
    } catch (err) {
      setError(problemText(err));
      setBusy(null);
    }
  };

  if (details.error) {
    return (
      <CenteredCard>
        <Title order={1} size="h2">
          This sign-in cannot continue
        </Title>
        <Alert color="red" variant="light" role="alert">
          {problemText(details.error)}
        </Alert>
      </CenteredCard>
    );
  }
  const d = details.data;
  if (!d) {
    return (
      <CenteredCard>
        <Loader aria-label="Loading" />
      </CenteredCard>
    );
  }
  return (
    <CenteredCard footer={`Lifeline · ${d.organization}`}>
      {error && (
        <Alert color="red" variant="light" role="alert">
          {error}
        </Alert>
      )}
      {d.prompt === 'login' ? (
        <SignIn d={d} busy={busy} onSignIn={(body) => go('login', body)} onContinue={() => go('continue')} />
      ) : (
        <Consent d={d} busy={busy} onAllow={() => go('allow')} onDeny={() => go('deny')} />
      )}
    </CenteredCard>
  );
}

function SignIn({
  d,
  busy,
  onSignIn,
  onContinue,
}: {
  d: OAuthInteraction;
  busy: string | null;
  onSignIn: (body: { email: string; password: string }) => void;
  onContinue: () => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [other, setOther] = useState(false);
  return (
    <>
      <Title order={1} size="h2">
        Sign in to Lifeline
      </Title>
      <Text>
        <b>{d.app.name}</b> wants to use Lifeline for you.
      </Text>
      {d.user && !other ? (
        <Stack>
          <Text size="sm">
            You are signed in as {d.user.name} ({d.user.email}).
          </Text>
          <Button onClick={onContinue} loading={busy === 'continue'}>
            Continue as {d.user.name}
          </Button>
          <Button variant="subtle" onClick={() => setOther(true)}>
            Use another account
          </Button>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onSignIn({ email, password });
          }}
        >
          <Stack>
            <TextInput
              label="E-mail"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={busy === 'login'}>
              Sign in
            </Button>
          </Stack>
        </form>
      )}
    </>
  );
}

function Consent({
  d,
  busy,
  onAllow,
  onDeny,
}: {
  d: OAuthInteraction;
  busy: string | null;
  onAllow: () => void;
  onDeny: () => void;
}) {
  return (
    <>
      <Title order={1} size="h2">
        Allow {d.app.name}?
      </Title>
      <Text>
        {d.user ? `${d.user.name}, ` : ''}
        <b>{d.app.name}</b> asks to act for you in Lifeline ({d.organization}). It will be able to:
      </Text>
      <List aria-label="Requested permissions" spacing="xs">
        {d.scopes.map((s) => (
          <List.Item key={s.scope}>
            {s.description}{' '}
            <Text span size="xs" c="dimmed">
              ({s.scope})
            </Text>
          </List.Item>
        ))}
      </List>
      <Text size="sm" c="dimmed">
        You can take this back at any time by logging out in the connector.
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onDeny} loading={busy === 'deny'} disabled={busy === 'allow'}>
          Deny
        </Button>
        <Button onClick={onAllow} loading={busy === 'allow'} disabled={busy === 'deny'}>
          Allow
        </Button>
      </Group>
    </>
  );
}
