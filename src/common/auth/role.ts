/** Roles a user can hold. Only the seed and admins can grant `admin`. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];
