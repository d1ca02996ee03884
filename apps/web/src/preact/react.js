/**
 * `react` for the customer build (vite.customer.config.ts aliases it here): Preact's `preact/compat`,
 * plus a stand-in for React 19's `Activity`, which preact/compat does not have.
 *
 * Mantine imports `Activity` in Transition, Collapse, Tabs, Stepper, Tree and Cascader, and renders it
 * only when a `keepMounted` prop asks to keep a hidden child mounted. The customer's pages pass no
 * `keepMounted`, so there it never renders; should one come, the stand-in unmounts a hidden child
 * (Mantine's behaviour without `keepMounted`) instead of keeping it mounted and hidden.
 * See docs/adr/0004-preact-for-customer-pages.md.
 *
 * JavaScript, not TypeScript: preact/compat's types are `export =`, which `export *` cannot re-export;
 * the pages are typed against React's own types either way.
 */

export * from 'preact/compat';
export { default } from 'preact/compat';

/** @param {{ mode?: 'visible' | 'hidden', children?: import('preact').ComponentChildren }} props */
export function Activity({ mode, children }) {
  return mode === 'hidden' ? null : (children ?? null);
}
