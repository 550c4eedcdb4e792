// Who acts in every process: the staff's roles (DOMAIN.md, "People") and the person a step is
// taken by. Imported by workflow code, so free of I/O, Node built-ins and zod.

export const ROLES = ['ops', 'manager', 'kam_head', 'lawyer', 'director', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who did a step: every event records the acting person. */
export interface Actor {
  staffId: string;
  name: string;
  roles: Role[];
}
