import { z } from 'zod';
import { Id } from './common.js';

/**
 * Who may use the inspectors' side of the hub: the street admin
 * sees the whole street; a community inspector only the venues of their
 * community (each community checks the venues of its own list, 000 §3 and
 * §4(1); docs/inspectors-guide.md "Logging in").
 */
export const Role = z.enum(['street_admin', 'community_inspector']);
export type Role = z.infer<typeof Role>;

/** An account name: what a person types to log in. */
export const AccountName = z
  .string()
  .trim()
  .min(2)
  .max(40)
  .regex(/^[\p{L}\p{N}_.-]+$/u, 'letters, digits, "_", "." and "-" only');

export const LoginRequest = z.strictObject({ name: AccountName, password: z.string().min(1).max(200) });
export type LoginRequest = z.infer<typeof LoginRequest>;

/** What the dashboard knows of the person logged in. */
export const AccountView = z.object({
  id: Id,
  name: z.string(),
  role: Role,
  /** The community an inspector covers; null for the street admin. */
  communityId: Id.nullable(),
  communityName: z.string().nullable(),
});
export type AccountView = z.infer<typeof AccountView>;
