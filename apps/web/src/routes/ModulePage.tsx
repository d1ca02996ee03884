import type { PublicModule } from '@lifeline/contracts';
import { useEffect, useMemo, useRef, useState } from 'react';
import { CenteredCard } from '../components/CenteredCard.js';
import { CodeFallbackCard, LoadingCard } from '../components/CustomerNotices.js';
import { BrandedArea } from '../features/modules/branding.js';
import { type ModuleAnswers, ModuleForm } from '../features/modules/ModuleForm.js';
import { customerApi, isApiError, problemText } from '../lib/customer-api.js';
import { navigate } from '../lib/customer-location.js';
import { useAnswer } from '../lib/useAnswer.js';

/** Name and e-mail a customer gave on a module's page before, in this browser (never the problem). */
type Remembered = Pick<ModuleAnswers, 'name' | 'email'>;
const memoryKey = (slug: string) => `lifeline.qs.${slug}.customer`;
function remembered(slug: string): Remembered {
  try {
    const value = JSON.parse(localStorage.getItem(memoryKey(slug)) ?? '{}') as Partial<Remembered>;
    return {
      name: typeof value.name === 'string' ? value.name : '',
      email: typeof value.email === 'string' ? value.email : '',
    };
  } catch {
    return { name: '', email: '' };
  }
}
function remember(slug: string, answers: ModuleAnswers) {
  const given = { name: answers.name.trim(), email: answers.email.trim() };
  try {
    if (given.name || given.email) localStorage.setItem(memoryKey(slug), JSON.stringify(given));
  } catch {
    // Storage refused (private mode, quota): the next SOS click shows the form again, nothing worse.
  }
}

/** Whether every field the module requires is among the answers the customer already gave. */
const hasEverythingRequired = (fields: PublicModule['fields'], answers: ModuleAnswers) =>
  (['name', 'email', 'description'] as const).every(
    (field) => fields[field] !== 'required' || answers[field].trim() !== '',
  );

/**
 * `/qs/{slug}`: a QuickSupport module's page, where customers ask for help
 * themselves (`?sos=1` when the SOS shortcut opened it). Submitting opens a
 * case and goes straight on to its waiting room. The SOS shortcut skips the
 * form when the module requires nothing the customer has not given already
 * (on this page, in this browser): one click opens the case, like
 * TeamViewer's SOS button.
 */
export function ModulePage({ slug }: { slug: string }) {
  const sos = new URLSearchParams(window.location.search).get('sos') === '1';
  const page = useAnswer(slug, () => customerApi.quickSupport.page(slug));
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<unknown>(null);
  // Read once per page: what this request saves must not turn the same page into a one-click one.
  const known = useMemo(() => ({ ...remembered(slug), description: '' }), [slug]);
  const module = page.status === 'done' ? page.data : undefined;

  const send = async (answers: ModuleAnswers) => {
    if (!module) return;
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
      remember(slug, answers);
      navigate(`/j/${encodeURIComponent(token)}`, { replace: true, state: { join: 'browser' } });
    } catch (err) {
      setSendError(err);
      setSending(false);
    }
  };

  const oneClick = sos && module !== undefined && hasEverythingRequired(module.fields, known);
  // Once per page load: a failed one-click request falls back to the form with its error, never loops.
  const sent = useRef(false);
  useEffect(() => {
    if (!oneClick || sent.current) return;
    sent.current = true;
    void send(known);
  });

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
  const { data } = page;
  const branding = { title: data.title, accentColor: data.accentColor, logoUrl: data.logoUrl };
  if (oneClick && !sendError) {
    return (
      <BrandedArea branding={branding}>
        <LoadingCard text="Opening your help request…" />
      </BrandedArea>
    );
  }
  return (
    <BrandedArea branding={branding}>
      <CenteredCard footer={`${data.organization.name} · Lifeline remote support`}>
        <ModuleForm
          initial={known}
          module={data}
          sos={sos}
          onSubmit={(answers) => {
            sent.current = true;
            void send(answers);
          }}
          pending={sending}
          error={sendError ? problemText(sendError) : null}
        />
      </CenteredCard>
    </BrandedArea>
  );
}
