/**
 * Every TanStack Query key of the web app. Keys are hierarchical, so invalidating a prefix (`keys.cases.all`,
 * `keys.events.of(code)`) reaches every narrower key under it; spelling them in one place keeps writers and
 * readers of the same data on the same key.
 */
export const keys = {
  me: ['me'] as const,
  users: ['users'] as const,
  groups: ['groups'] as const,
  modules: ['modules'] as const,
  tokens: ['tokens'] as const,
  tokensOf: (userId: string | null) => ['tokens', 'of', userId] as const,
  connectorApps: ['connector-apps'] as const,
  webhooks: ['webhooks'] as const,
  webhookDeliveries: (id: string) => ['webhooks', id, 'deliveries'] as const,
  outbox: ['outbox'] as const,
  recordingSettings: ['recording-settings'] as const,
  cases: {
    all: ['cases'] as const,
    list: (filters: { statuses: string[]; groupId: string | null; mine: boolean; q: string }) =>
      ['cases', filters] as const,
  },
  case: (code: string) => ['case', code] as const,
  events: {
    all: ['events'] as const,
    of: (code: string) => ['events', code] as const,
    connections: (code: string) => ['events', code, 'connections'] as const,
    invitations: (code: string) => ['events', code, 'invitations'] as const,
    recordings: (code: string) => ['events', code, 'recordings'] as const,
  },
  oauthInteraction: (uid: string) => ['oauth-interaction', uid] as const,
  connector: {
    me: (state: string) => ['connector', 'me', state] as const,
    openCase: (system: string | null, recordId: string | null) =>
      ['connector', 'open-case', system, recordId] as const,
    case: (code: string) => ['connector', 'case', code] as const,
  },
};
