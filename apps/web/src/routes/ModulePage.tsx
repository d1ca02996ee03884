import { useState } from 'react';
import { CenteredCard } from '../components/CenteredCard.js';
import { CodeFallbackCard, LoadingCard } from '../components/CustomerNotices.js';
import { BrandedArea } from '../features/modules/branding.js';
import { type ModuleAnswers, ModuleForm } from '../features/modules/ModuleForm.js';
import { customerApi, isApiError, problemText } from '../lib/customer-api.js';
import { navigate } from '../lib/customer-location.js';
import { useAnswer } from '../lib/useAnswer.js';

/**
 * `/qs/{slug}`: a QuickSupport module's page, where customers ask for help
 * themselves (`?sos=1` when the SOS shortcut opened it). Submitting opens a
 * case and goes straight on to its waiting room.
 */
export function ModulePage({ slug }: { slug: string }) {
  const sos = new URLSearchParams(window.location.search).get('sos') === '1';
  const page = useAnswer(slug, () => customerApi.quickSupport.page(slug));
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<unknown>(null);

  if (page.status === 'pending') return <LoadingCard text="Opening the support page…" />;
  if (page.status === 'failed') {
    const off = isApiError(page.error, 404) && page.error.code === 'module_disabled';
    const missing = isApiError(page.error, 404) || isApiError(page.error, 400);
    return (
      <CodeFallbackCard
        title={
          off
            ? 'This support page is switched off'
            : missing
              ? 'There is no support page here'
              : 'The page could not be opened'
        }
        text={
          off
            ? 'The company behind it is not taking requests here right now. If an agent gave you a session code, you can still enter it.'
            : missing
              ? 'Check the address. If an agent gave you a session code, enter it instead.'
              : problemText(page.error)
        }
      />
    );
  }
  const module = page.data;

  const send = async (answers: ModuleAnswers) => {
    setSending(true);
    setSendError(null);
    try {
      const { token } = await customerApi.quickSupport.request(slug, {
        ...(module.fields.name !== 'off' && answers.name ? { name: answers.name } : {}),
        ...(module.fields.email !== 'off' && answers.email ? { email: answers.email } : {}),
        ...(module.fields.description !== 'off' && answers.description
          ? { description: answers.description }
          : {}),
        sos,
      });
      navigate(`/j/${encodeURIComponent(token)}`, { replace: true, state: { join: 'browser' } });
    } catch (err) {
      setSendError(err);
      setSending(false);
    }
  };

  return (
    <BrandedArea branding={{ title: module.title, accentColor: module.accentColor, logoUrl: module.logoUrl }}>
      <CenteredCard footer={`${module.organization.name} · Lifeline remote support`}>
        <ModuleForm
          module={module}
          sos={sos}
          onSubmit={(answers) => void send(answers)}
          pending={sending}
          error={sendError ? problemText(sendError) : null}
        />
      </CenteredCard>
    </BrandedArea>
  );
}
