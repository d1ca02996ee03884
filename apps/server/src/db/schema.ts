import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * Times are integer milliseconds since the epoch on both SQLite and PostgreSQL
 * (bigint there), so comparisons and ordering behave identically on both.
 * Booleans are integers 0/1 for the same reason.
 */
export interface Database {
  organizations: {
    id: string;
    name: string;
    created_at: number;
    /** 1: the agent's browser records every session (migration 0010). */
    recording_enabled: Generated<number>;
    /** Days a recording is kept; null: the deployment's default. */
    recording_retention_days: number | null;
  };
  users: {
    id: string;
    org_id: string;
    email: string;
    name: string;
    password_hash: string;
    role: 'admin' | 'agent';
    active: number;
    default_group_id: string;
    created_at: number;
    updated_at: number;
  };
  groups: { id: string; org_id: string; name: string; created_at: number };
  group_members: { group_id: string; user_id: string };
  sessions: {
    id_hash: string;
    user_id: string;
    csrf_token: string;
    created_at: number;
    expires_at: number;
  };
  api_tokens: {
    id: string;
    org_id: string;
    user_id: string;
    name: string;
    token_hash: string;
    scopes: string;
    created_at: number;
    last_used_at: number | null;
    revoked_at: number | null;
  };
  /**
   * Every session code ever issued, with its customer link token; never deleted,
   * so a code is never reused and a deleted case's link still answers "ended".
   */
  session_codes: { code: string; customer_token: string | null; created_at: number };
  cases: {
    id: string;
    org_id: string;
    code: string;
    name: string;
    description: string | null;
    type: 'remote_control' | 'ar';
    status: 'new' | 'pending' | 'in_progress' | 'closed' | 'expired';
    source: 'manual' | 'api' | 'module' | 'sos' | 'connector';
    group_id: string;
    assignee_id: string | null;
    created_by_type: 'user' | 'customer' | 'system';
    created_by_id: string | null;
    created_by_name: string | null;
    customer_name: string | null;
    customer_email: string | null;
    customer_phone: string | null;
    external_system: string | null;
    external_type: string | null;
    external_id: string | null;
    external_url: string | null;
    waiting_message: string | null;
    customer_token: string;
    agent_online: number;
    customer_online: number;
    created_at: number;
    updated_at: number;
    expires_at: number;
    closed_at: number | null;
    closed_by_type: 'user' | 'customer' | 'system' | null;
    closed_by_id: string | null;
    closed_by_name: string | null;
    /** The QuickSupport module the customer came through, for its branding. */
    module_id: string | null;
    /** When the current assignee was given the case (null while unassigned). */
    assigned_at: number | null;
    /** Free text an integration keeps with the case (`custom_api` of the TeamViewer-compatible API). */
    custom_api: string | null;
    /** The agent's closing note, part of the case's outcome. */
    closing_note: string | null;
  };
  modules: {
    id: string;
    org_id: string;
    slug: string;
    title: string;
    welcome_text: string | null;
    accent_color: string;
    field_name: 'off' | 'optional' | 'required';
    field_email: 'off' | 'optional' | 'required';
    field_description: 'off' | 'optional' | 'required';
    case_type: 'remote_control' | 'ar';
    group_id: string;
    waiting_message: string | null;
    enabled: number;
    /** When the logo last changed (null: no logo); part of its URL. */
    logo_version: number | null;
    created_at: number;
    updated_at: number;
  };
  module_logos: { module_id: string; content_type: string; bytes: Buffer };
  live_sockets: {
    id: string;
    case_id: string;
    role: 'agent' | 'customer';
    user_id: string | null;
    user_name: string | null;
    node_id: string;
    consent: 'pending' | 'allowed' | 'denied';
    sharing: 'off' | 'active' | 'paused';
    connected_at: number;
  };
  connections: {
    id: string;
    case_id: string;
    org_id: string;
    agent_id: string | null;
    agent_name: string | null;
    type: 'remote_control' | 'ar';
    started_at: number;
    ended_at: number | null;
  };
  /** One recording of a session; its bytes are in the recording store under `org_id/id` (migration 0010). */
  recordings: {
    id: string;
    org_id: string;
    case_id: string;
    agent_id: string | null;
    agent_name: string | null;
    media_type: string;
    started_at: number;
    /** The last chunk's arrival or the finish: where a recording ends if its agent vanished. */
    updated_at: number;
    finished_at: number | null;
    /** Chunks stored so far: the next chunk's number. */
    chunks: number;
    size_bytes: number;
  };
  case_events: {
    id: Generated<number>;
    case_id: string;
    org_id: string;
    type: string;
    actor_type: 'user' | 'customer' | 'system';
    actor_id: string | null;
    actor_name: string | null;
    data: string;
    created_at: number;
  };
}

export interface Database {
  /** Invitations by e-mail and SMS, rendered when queued and delivered by the outbox worker. */
  outbox_messages: {
    id: string;
    org_id: string;
    case_id: string;
    case_code: string;
    channel: 'email' | 'sms';
    transport: 'smtp' | 'twilio' | 'http' | 'local';
    recipient: string;
    message: string | null;
    subject: string | null;
    text_body: string;
    html_body: string | null;
    status: 'queued' | 'sent' | 'failed';
    error: string | null;
    provider_id: string | null;
    attempts: Generated<number>;
    next_attempt_at: number;
    lease_owner: string | null;
    lease_until: number | null;
    created_by_type: 'user' | 'customer' | 'system';
    created_by_id: string | null;
    created_by_name: string | null;
    created_at: number;
    sent_at: number | null;
  };
  webhooks: {
    id: string;
    org_id: string;
    url: string;
    /** JSON array of event types. */
    events: string;
    enabled: number;
    description: string | null;
    secret: string;
    consecutive_failures: Generated<number>;
    disabled_reason: string | null;
    created_at: number;
    updated_at: number;
  };
  webhook_deliveries: {
    id: string;
    webhook_id: string;
    event_id: string;
    event_type: string;
    /** The exact JSON sent (and signed) on every attempt. */
    body: string;
    status: 'pending' | 'delivered' | 'failed';
    attempts: Generated<number>;
    next_attempt_at: number;
    lease_owner: string | null;
    lease_until: number | null;
    last_status_code: number | null;
    last_error: string | null;
    created_at: number;
    delivered_at: number | null;
  };
}

export interface Database {
  /** OAuth clients registered by admins for CRM connectors (migration 0006). */
  connector_apps: {
    id: string;
    org_id: string;
    name: string;
    client_id: string;
    /** SHA-256 of the client secret, which is shown once. */
    secret_hash: string;
    /** JSON arrays of strings. */
    redirect_uris: string;
    allowed_origins: string;
    created_at: number;
    updated_at: number;
  };
  /** oidc-provider's records of every model, keyed by `model:sha256(id)`. */
  oauth_records: {
    key: string;
    model: string;
    /** The provider's JSON payload. */
    payload: string;
    grant_id: string | null;
    client_id: string | null;
    /** sha256 of the session uid. */
    uid: string | null;
    expires_at: number | null;
    consumed_at: number | null;
  };
  /** The provider's signing keys (`jwks`) and cookie keys (`cookies`), generated on first start. */
  oauth_keys: { name: string; value: string; created_at: number };
}

export type CaseRow = Selectable<Database['cases']>;
export type NewCaseRow = Insertable<Database['cases']>;
export type UserRow = Selectable<Database['users']>;
export type ModuleRow = Selectable<Database['modules']>;
export type CaseEventRow = Selectable<Database['case_events']>;
export type NewCaseEventRow = Insertable<Database['case_events']>;
export type RecordingRow = Selectable<Database['recordings']>;
export type LiveSocketRow = Selectable<Database['live_sockets']>;
export type OutboxRow = Selectable<Database['outbox_messages']>;
export type WebhookRow = Selectable<Database['webhooks']>;
export type WebhookDeliveryRow = Selectable<Database['webhook_deliveries']>;
export type ConnectorAppRow = Selectable<Database['connector_apps']>;
