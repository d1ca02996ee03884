export * from './auth.js';
export * from './cases.js';
export * from './common.js';
export * from './people.js';
export * from './realtime.js';
