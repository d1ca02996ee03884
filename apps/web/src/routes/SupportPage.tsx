import { Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { CenteredCard } from '../components/CenteredCard.js';
import { customerApi, isApiError, problemText } from '../lib/customer-api.js';
import { navigate } from '../lib/customer-location.js';

/** `/support`: for customers who were given a session code instead of a link. */
export function SupportPage() {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  return (
    <CenteredCard>
      <Title order={1} size="h2">
        Join a support session
      </Title>
      <Text c="dimmed">Enter the session code your support agent gave you, for example s12-345-678.</Text>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const found = await customerApi.join.byCode(code);
            navigate(`/j/${found.token}`);
          } catch (err) {
            if (isApiError(err, 404)) setError('No support session has this code. Check it and try again.');
            else if (isApiError(err, 410)) setError('This support session has ended. Ask for a new code.');
            else if (isApiError(err, 429)) {
              const wait = err.headers.get('retry-after');
              setError(`Too many attempts. Try again in ${wait ?? 'a few'} seconds.`);
            } else setError(problemText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Stack>
          <TextInput
            label="Session code"
            placeholder="s12-345-678"
            autoComplete="off"
            inputMode="text"
            required
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={error}
          />
          <Button type="submit" loading={busy}>
            Continue
          </Button>
        </Stack>
      </form>
    </CenteredCard>
  );
}
