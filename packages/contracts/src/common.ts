import { z } from 'zod';

/** ISO 8601 UTC timestamp as sent on the wire, e.g. `2026-11-22T10:00:00.000Z`. */
export const timestamp = z.iso.datetime();

export const id = z.string().min(1).max(64);

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;

export const paginationQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
};

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Accepts `?x=a` and `?x=a&x=b` alike. */
export function repeatable<T extends z.ZodType>(item: T) {
  return z
    .preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(item).min(1))
    .optional();
}

export const idParams = z.strictObject({ id });
