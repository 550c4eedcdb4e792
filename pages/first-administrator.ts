// On a fresh install nobody can sign in: `npm start` prints a one-time link where the first
// administrator names themself and sets a password. Printed again at each start until someone
// has done so (each link valid for INVITATION_VALID_FOR).
import type { Pool } from 'pg';
import { createInvitation, firstAdministratorNeeded } from '../db/invitations';

export async function firstAdministratorLink(db: Pool, baseUrl: string, validForMs: number): Promise<string | undefined> {
  if (!(await firstAdministratorNeeded(db))) return undefined;
  const { secret } = await createInvitation(db, null, 'npm-start', validForMs);
  return `${baseUrl}/invitations/${secret}`;
}
