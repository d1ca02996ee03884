import { useMutation, useQuery } from '@tanstack/react-query';
import { CenteredCard } from '../components/CenteredCard.js';
import { CodeFallbackCard, LoadingCard } from '../components/CustomerNotices.js';
import { BrandedArea } from '../features/modules/branding.js';
import { type ModuleAnswers, ModuleForm } from '../features/modules/ModuleForm.js';
import { customerApi, isApiError, problemText } from '../lib/customer-api.js';
import { navigate } from '../lib/customer-location.js';
import { keys } from '../lib/query-keys.js';

/**
 * `/qs/{slug}`: a QuickSupport module's page, where customers ask for help
 * themselves (`?sos=1` when the SOS shortcut opened it). Submitting opens a
 * case and goes straight on to its waiting room.
 */
export function ModulePage({ slug }: { slug: string }) {
  const sos = new URLSearchParams(window.location.search).get('sos') === '1';
  const page = useQuery({
    queryKey: keys.modulePage(slug),
    queryFn: () => customerApi.quickSupport.page(slug),
  });
  const request = useMutation({
    mutationFn: (answers: ModuleAnswers) =>
      customerApi.quickSupport.request(slug, {
        ...(page.data?.fields.name !== 'off' && answers.name ? { name: answers.name } : {}),
        ...(page.data?.fields.email !== 'off' && answers.email ? { email: answers.email } : {}),
        ...(page.data?.fields.description !== 'off' && answers.description
          ? { description: answers.description }
          : {}),
        sos,
      }),
    onSuccess: ({ token }) => navigate(`/j/${token}`, { replace: true, state: { join: 'browser' } }),
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
  return (
    <BrandedArea branding={{ title: module.title, accentColor: module.accentColor, logoUrl: module.logoUrl }}>
      <CenteredCard footer={`${module.organization.name} · Lifeline remote support`}>
        <ModuleForm
          module={module}
          sos={sos}
          onSubmit={(answers) => request.mutate(answers)}
          pending={request.isPending}
          error={request.error ? problemText(request.error) : null}
        />
      </CenteredCard>
    </BrandedArea>
  );
}
