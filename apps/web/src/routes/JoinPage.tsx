import type { JoinInfo } from '@lifeline/contracts';
import { JOIN_ANSWER_ID } from '@lifeline/contracts/constants';
import { Button, Stack, Text, Title } from '@mantine/core';
import { IconDownload, IconWorld } from '@tabler/icons-react';
import { lazy, Suspense, useEffect, useState } from 'react';
import { CenteredCard } from '../components/CenteredCard.js';
import { CodeFallbackCard, LoadingCard } from '../components/CustomerNotices.js';
import { EndedPage } from '../components/EndedPage.js';
import { BrandedArea } from '../features/modules/branding.js';
import { CustomerSession } from '../features/session/CustomerSession.js';
import { openStandbySocket } from '../features/session/early-session.js';
import { canShareScreen } from '../features/session/quicksupport.js';
import { customerApi, isApiError, problemText } from '../lib/customer-api.js';
import { historyState } from '../lib/customer-location.js';
import { useAnswer } from '../lib/useAnswer.js';

/**
 * The QuickSupport download dialog, a chunk of its own: Mantine's Modal brings its
 * scroll lock and floating-ui, which the customer bundle leaves out.
 */
const loadHelperDialog = () => import('../features/session/HelperDialog.js');
const HelperDialog = lazy(async () => ({ default: (await loadHelperDialog()).HelperDialog }));

/** The join answer the page came with, if it is this token's: the choice shows without asking first. */
function joinAnswerInPage(token: string): JoinInfo | undefined {
  const text = document.getElementById(JOIN_ANSWER_ID)?.textContent;
  if (!text) return undefined;
  try {
    const info = JSON.parse(text) as JoinInfo;
    return info.token === token ? info : undefined;
  } catch {
    // Then the page asks, as without it.
    return undefined;
  }
}

/**
 * `/j/{token}`: the customer's invitation link. A QuickSupport module's page
 * comes here with `join: 'browser'`, straight into the waiting room.
 */
export function JoinPage({ token }: { token: string }) {
  const [joined, setJoined] = useState(() => historyState<{ join?: string }>()?.join === 'browser');
  const [inPage] = useState(() => joinAnswerInPage(token));
  const info = useAnswer(token, () => customerApi.join.byToken(token), inPage);

  if (info.status === 'pending') return <LoadingCard text="Opening your support session…" />;
  if (info.status === 'failed') {
    if (isApiError(info.error, 410)) return <EndedPage />;
    const invalid = isApiError(info.error, 404) || isApiError(info.error, 400);
    return (
      <CodeFallbackCard
        title={invalid ? 'This link is not valid' : 'The session could not be opened'}
        text={
          invalid
            ? 'Check that you opened the whole link from your invitation, or enter your session code instead.'
            : problemText(info.error)
        }
      />
    );
  }
  const data = info.data;
  return (
    <BrandedArea branding={data.branding}>
      {joined ? <CustomerSession info={data} /> : <JoinChoice info={data} onJoin={() => setJoined(true)} />}
    </BrandedArea>
  );
}

function JoinChoice({ info: data, onJoin }: { info: JoinInfo; onJoin: () => void }) {
  const [helperInfo, setHelperInfo] = useState(false);
  /** Phones and tablets cannot share their screen: they show their camera, and no desktop helper can run on them. */
  const phone = !canShareScreen();

  const what = data.type === 'ar' || phone ? 'camera' : 'screen';
  // The dialog's chunk loads after the first paint, before anyone asks for it; the dialog is mounted once
  // it is there (or once asked for), so that it opens with its transition.
  const [withDialog, setWithDialog] = useState(false);
  // Not closed when the choice goes: joining is what takes it over.
  useEffect(() => openStandbySocket(data.token), [data.token]);
  useEffect(() => {
    if (!phone)
      loadHelperDialog().then(
        () => setWithDialog(true),
        () => {},
      );
  }, [phone]);
  return (
    <CenteredCard footer={`Session code ${data.code}`}>
      <Text size="sm" c="dimmed">
        {data.organization.name} invites you to a support session
      </Text>
      <Title order={1} size="h2">
        {data.name}
      </Title>
      <Text>
        {data.type === 'ar'
          ? 'Show the problem with your phone or tablet camera; your agent can draw on the picture and talk with you.'
          : phone
            ? 'This device cannot share its screen: show the problem with your camera instead. Your agent sees the picture once you allow it, and can point and draw on it to guide you.'
            : 'Your agent will see your screen once you allow it, and can point and draw on it to guide you.'}
      </Text>
      <Stack gap="sm">
        <Button size="lg" leftSection={<IconWorld aria-hidden />} onClick={onJoin}>
          Join in browser
        </Button>
        {!phone && (
          <Button
            size="lg"
            variant="default"
            leftSection={<IconDownload aria-hidden />}
            onClick={() => {
              setWithDialog(true);
              setHelperInfo(true);
            }}
          >
            Download QuickSupport
          </Button>
        )}
        <Text size="xs" c="dimmed">
          In the browser nothing is installed and your {what} is shared only after you allow it.
        </Text>
      </Stack>
      {withDialog && (
        <Suspense fallback={null}>
          <HelperDialog
            opened={helperInfo}
            onClose={() => setHelperInfo(false)}
            token={data.token}
            what={what}
            onJoin={() => {
              setHelperInfo(false);
              onJoin();
            }}
          />
        </Suspense>
      )}
    </CenteredCard>
  );
}
