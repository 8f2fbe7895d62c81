import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '../../domain/vocabulary';

/** Who is calling: the key, its organisation and its role. */
export interface Principal {
  keyId: string;
  organizationId: string;
  role: Role;
}

export const IS_PUBLIC = 'spillover:public';
export const ROLES = 'spillover:roles';

/** A route anyone may call without a key (health, docs, the dashboard's static files). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The roles that may call a route; admins may call every route. Routes without it are refused. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/** The authenticated principal of the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest().principal;
});
