import { createHash } from 'node:crypto';
import type { WireMockState, WireMockUser } from './state.js';

/** A user's account as WireMock Cloud shows it: `GET /v1/users/{userId}` and the ID token's subject. */

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The user's identity at the identity provider (Auth0's `auth0|...`): stable per user id. */
export function idpUserIdOf(user: WireMockUser): string {
  return `auth0|${sha256(user.id).slice(0, 24)}`;
}

/** The user an ID or access token's subject names. */
export function userBySubject(state: WireMockState, subject: unknown): WireMockUser | undefined {
  if (typeof subject !== 'string') return undefined;
  return state.users.find((user) => idpUserIdOf(user) === subject);
}

/**
 * The user account as `GET /v1/users/{userId}` answers it; the derived fields are stable per user.
 * `apiKey` only for the caller's own account: WireMock Cloud's CLI reads its token from there.
 */
export function account(user: WireMockUser, { own }: { own: boolean }): unknown {
  const self = `/v1/users/${user.id}`;
  return {
    user: {
      id: user.id,
      username: user.username,
      avatarUrl: `https://s.gravatar.com/avatar/${md5(user.emailAddress)}?s=480&r=pg&d=mp`,
      emailAddress: user.emailAddress,
      marketingOptIn: false,
      signupDate: user.signupDate,
      idpUserId: idpUserIdOf(user),
      userHash: sha256(user.emailAddress),
      links: {
        self,
        teams: `${self}/teams`,
        mockApis: `${self}/apis`,
        apiTemplateCatalogues: `${self}/api-template-catalogues`,
        apiTemplates: `${self}/api-templates`,
        organisation: `/v1/organisations/${user.organisationId}`,
      },
      hasNativeIdp: true,
      ...(own ? { apiKey: user.apiToken } : {}),
    },
  };
}
