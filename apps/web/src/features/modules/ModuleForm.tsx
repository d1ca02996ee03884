import type { FieldMode, PublicModule } from '@lifeline/contracts';
import { MAX_CUSTOMER_DESCRIPTION } from '@lifeline/contracts/constants';
import { Alert, Button, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconLifebuoy } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';

export interface ModuleAnswers {
  name: string;
  email: string;
  description: string;
}

const shown = (mode: FieldMode) => mode !== 'off';
const labelled = (label: string, mode: FieldMode) => (mode === 'optional' ? `${label} (optional)` : label);

/**
 * What a customer fills in on a module's page. The admin's live preview shows
 * the same form, so what they design is what customers get.
 */
export function ModuleForm({
  module,
  sos = false,
  initial,
  onSubmit,
  pending = false,
  error,
}: {
  module: Pick<PublicModule, 'title' | 'welcomeText' | 'fields' | 'caseType' | 'organization'>;
  sos?: boolean;
  /** Answers to start from, e.g. the name and e-mail the customer gave here before. */
  initial?: ModuleAnswers;
  onSubmit?: (answers: ModuleAnswers) => void;
  pending?: boolean;
  error?: string | null;
}) {
  const [answers, setAnswers] = useState<ModuleAnswers>(initial ?? { name: '', email: '', description: '' });
  const set = (field: keyof ModuleAnswers) => (value: string) =>
    setAnswers((a) => ({ ...a, [field]: value }));
  const { fields } = module;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit?.(answers);
  };

  return (
    <form onSubmit={submit} aria-label={module.title}>
      <Stack gap="md">
        <Title order={1} size="h2">
          {sos ? 'Get help now' : 'How can we help?'}
        </Title>
        <Text>
          {module.welcomeText ||
            `Describe your problem and an agent of ${module.organization.name} will join you here.`}
        </Text>
        {shown(fields.name) && (
          <TextInput
            label={labelled('Your name', fields.name)}
            required={fields.name === 'required'}
            maxLength={200}
            autoComplete="name"
            value={answers.name}
            onChange={(e) => set('name')(e.currentTarget.value)}
          />
        )}
        {shown(fields.email) && (
          <TextInput
            type="email"
            label={labelled('E-mail', fields.email)}
            required={fields.email === 'required'}
            maxLength={254}
            autoComplete="email"
            value={answers.email}
            onChange={(e) => set('email')(e.currentTarget.value)}
          />
        )}
        {shown(fields.description) && (
          <Textarea
            label={labelled('Problem description', fields.description)}
            required={fields.description === 'required'}
            maxLength={MAX_CUSTOMER_DESCRIPTION}
            autosize
            minRows={3}
            value={answers.description}
            onChange={(e) => set('description')(e.currentTarget.value)}
          />
        )}
        {error && (
          <Alert color="red" variant="light" role="alert">
            {error}
          </Alert>
        )}
        <Button type="submit" size="lg" loading={pending} leftSection={<IconLifebuoy aria-hidden />}>
          Request help
        </Button>
        <Text size="xs" c="dimmed">
          {module.caseType === 'ar'
            ? 'You will show the problem with your camera once you allow it.'
            : 'Nothing is shared until you allow it; an agent can then see your screen and guide you.'}
        </Text>
      </Stack>
    </form>
  );
}
