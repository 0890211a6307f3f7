import type { AccountView } from '../../../shared/schemas/account.js';

/**
 * What an account may see and change (docs/architecture.md "Streets as tenants"), as every
 * repository filters by it: each field that is set narrows, a null one does not. The city admin's
 * scope has none set (the whole deployment); a district admin's the district; a street admin's the
 * street; an inspector's the street and the community.
 */
export interface Scope {
  districtId: string | null;
  streetId: string | null;
  communityId: string | null;
}

/** The whole deployment: the city's view, and the hub's own work (the flag sweep, retention). */
export const WHOLE_CITY: Scope = Object.freeze({ districtId: null, streetId: null, communityId: null });

/** The scope of an account: where it serves, from its role. */
export function accountScope(account: AccountView): Scope {
  switch (account.role) {
    case 'city_admin':
      return WHOLE_CITY;
    case 'district_admin':
      return { districtId: account.districtId, streetId: null, communityId: null };
    case 'street_admin':
      return { districtId: null, streetId: account.streetId, communityId: null };
    case 'community_inspector':
      return { districtId: null, streetId: account.streetId, communityId: account.communityId };
  }
}

/**
 * The SQL condition that a community (the table behind `alias`) is inside a scope; bind
 * `scopeParams(scope)` at its place. One source for every repository: a scope field is matched only
 * when set (CAST makes the null test typed for PostgreSQL). A district is matched through its
 * streets, so moving a street between districts needs no other row changed.
 */
export const communityInScope = (alias: string): string =>
  `(CAST(? AS TEXT) IS NULL OR ${alias}.id = ?)` +
  ` AND (CAST(? AS TEXT) IS NULL OR ${alias}.street_id = ?)` +
  ` AND (CAST(? AS TEXT) IS NULL OR ${alias}.street_id IN (SELECT id FROM streets WHERE district_id = ?))`;

/** The parameters of `communityInScope`, in its order. */
export const scopeParams = (scope: Scope): (string | null)[] => [
  scope.communityId,
  scope.communityId,
  scope.streetId,
  scope.streetId,
  scope.districtId,
  scope.districtId,
];

/** The same test in TypeScript, for a community whose street and district are known. */
export function inScope(scope: Scope, place: { communityId: string; streetId: string; districtId: string }): boolean {
  return (
    (scope.communityId === null || scope.communityId === place.communityId) &&
    (scope.streetId === null || scope.streetId === place.streetId) &&
    (scope.districtId === null || scope.districtId === place.districtId)
  );
}
