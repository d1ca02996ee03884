import { useEffect, useState } from 'react';

/** One answer a customer page waits for. */
export type Answer<T> =
  | { status: 'pending' }
  | { status: 'done'; data: T }
  | { status: 'failed'; error: unknown };

const pending = { status: 'pending' } as const;

/**
 * Loads one answer for `key` and loads again when `key` changes; a late answer
 * for an earlier key is dropped. The customer pages use this instead of TanStack
 * Query, which stays in the staff app's chunk: they ask once and keep no cache.
 * `known`: the answer for the first key, already there (the page came with it).
 */
export function useAnswer<T>(key: string, load: () => Promise<T>, known?: T): Answer<T> {
  const [current, setCurrent] = useState<{ key: string; answer: Answer<T> }>(() => ({
    key,
    answer: known === undefined ? pending : { status: 'done', data: known },
  }));
  // `load` belongs to `key`: a new key is a new question, a new closure for the same key is not.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    if (current.key === key && current.answer.status === 'done') return;
    let live = true;
    load().then(
      (data) => live && setCurrent({ key, answer: { status: 'done', data } }),
      (error: unknown) => live && setCurrent({ key, answer: { status: 'failed', error } }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return current.key === key ? current.answer : pending;
}
