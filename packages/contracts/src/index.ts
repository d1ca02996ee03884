export * from './auth.js';
export * from './cases.js';
export * from './common.js';
export * from './control.js';
export * from './invitations.js';
export * from './people.js';
export * from './realtime.js';
export * from './webhooks.js';
