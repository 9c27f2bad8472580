/**
 * The console's operations that had no API yet: an admin changes a user's role (with its ATS
 * network, alliance or company), validated like a creation and audited (client/auth/user-roles.ts).
 */
import { z } from 'zod';
import { auditActor } from '../audit';
import { changeRoleSchema, changeUserRole } from '../auth/user-roles';
import { userView } from './routes-account';
import type { ApiRegistry } from './registry';
import type { ApiDeps } from './server';

export function registerConsoleRoutes(api: ApiRegistry, deps: ApiDeps): void {
  api.add(
    {
      method: 'POST',
      url: '/users/:id/role',
      operationId: 'changeUserRole',
      summary: "Change a user's role (admin): a coordinator needs an ATS network, an sme user an enrolled company",
      description:
        'Same rules as creation. `atsCode` is kept for coordinators and consultants, `allianceCode` for consultants only. ' +
        'Never on yourself (`cannot_change_own_role`). Holds from the user’s next request.',
      tag: 'access',
      access: ['admin'],
      params: z.object({ id: z.string().min(1).max(64) }),
      body: changeRoleSchema,
      response: userView,
    },
    async (ctx) => changeUserRole(deps.db, ctx.params.id, ctx.body, auditActor(ctx.principal!)),
  );
}
