import type { PublicModule } from '@lifeline/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { CenteredCard } from '../components/CenteredCard.js';
import { CodeFallbackCard, LoadingCard } from '../components/CustomerNotices.js';
import { BrandedArea } from '../features/modules/branding.js';
import { type ModuleAnswers, ModuleForm } from '../features/modules/ModuleForm.js';
import { api, isApiError, problemText } from '../lib/api.js';
import { keys } from '../lib/query-keys.js';

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
export function ModulePage() {
  const { slug = '' } = useParams();
  const [search] = useSearchParams();
  const sos = search.get('sos') === '1';
  const navigate = useNavigate();
  const page = useQuery({ queryKey: keys.modulePage(slug), queryFn: () => api.quickSupport.page(slug) });
  // Read once per page: what this request saves must not turn the same page into a one-click one.
  const known = useMemo(() => ({ ...remembered(slug), description: '' }), [slug]);
  const request = useMutation({
    mutationFn: (answers: ModuleAnswers) =>
      api.quickSupport.request(slug, {
        ...(page.data?.fields.name !== 'off' && answers.name ? { name: answers.name } : {}),
        ...(page.data?.fields.email !== 'off' && answers.email ? { email: answers.email } : {}),
        ...(page.data?.fields.description !== 'off' && answers.description
          ? { description: answers.description }
          : {}),
        sos,
      }),
    onSuccess: ({ token }, answers) => {
      remember(slug, answers);
      navigate(`/j/${token}`, { replace: true, state: { join: 'browser' } });
    },
  });
  const oneClick = sos && page.data !== undefined && hasEverythingRequired(page.data.fields, known);
  // Once per page load: a failed one-click request falls back to the form with its error, never loops.
  const sent = useRef(false);
  useEffect(() => {
    if (!oneClick || sent.current) return;
    sent.current = true;
    request.mutate(known);
  });

  if (page.isPending) return <LoadingCard text="Opening the support page…" />;
  if (page.error) {
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
  const branding = { title: module.title, accentColor: module.accentColor, logoUrl: module.logoUrl };
  if (oneClick && !request.isError) {
    return (
      <BrandedArea branding={branding}>
        <LoadingCard text="Opening your help request…" />
      </BrandedArea>
    );
  }
  return (
    <BrandedArea branding={branding}>
      <CenteredCard footer={`${module.organization.name} · Lifeline remote support`}>
        <ModuleForm
          initial={known}
          module={module}
          sos={sos}
          onSubmit={(answers) => {
            sent.current = true;
            request.mutate(answers);
          }}
          pending={request.isPending}
          error={request.error ? problemText(request.error) : null}
        />
      </CenteredCard>
    </BrandedArea>
  );
}
