import { z } from 'zod';

export const Role = z.enum(['operator', 'supervisor']);
export type Role = z.infer<typeof Role>;

/** The signed-in person: the agent on every audit event this connection causes. */
export const SessionUser = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: Role,
});
export type SessionUser = z.infer<typeof SessionUser>;
