/** /openapi.json entries of access control: /auth/*, the `owner` filter of GET /jobs, Bearer. */
const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const json = (schema: unknown) => ({ 'application/json': { schema } });
const err = (description: string) => ({ description, content: problem });
const header = (name: string, description: string) => ({ name, in: 'header', required: false, description, schema: { type: 'string' } });
const who = { type: 'object', properties: { name: { type: 'string', nullable: true }, scope: { type: 'string', enum: ['read', 'submit', 'admin'], nullable: true } } };

/** GET /jobs: admins may list one owner's jobs; for everyone else it is ignored. */
export const OWNER_FILTER = {
  name: 'owner',
  in: 'query',
  description: 'Admins: only the jobs of this token name. Ignored for other callers, who always see only their own jobs.',
  schema: { type: 'string', maxLength: 64 },
};

export const AUTH_PATHS = {
  '/auth/whoami': {
    get: {
      summary: 'Who the caller is (never 401)',
      operationId: 'whoami',
      responses: { '200': { description: 'Caller', content: json({ ...who, properties: { ...who.properties, auth: { type: 'string', enum: ['off', 'tokens'] }, anonymous: { type: 'string', enum: ['none', 'read'] } } }) } },
    },
  },
  '/auth/session': {
    post: {
      summary: 'Sign in: sets the HttpOnly SameSite=Strict session cookie subsetd_session',
      operationId: 'createSession',
      requestBody: { required: true, content: json({ type: 'object', required: ['token'], properties: { token: { type: 'string', maxLength: 200 } } }) },
      responses: { '200': { description: 'Signed in', content: json(who) }, '400': err('No token given'), '401': err('Unknown, revoked or expired token') },
    },
    delete: { summary: 'Sign out: clears the session cookie', operationId: 'deleteSession', responses: { '204': { description: 'Signed out' } } },
  },
  '/auth/check': {
    get: {
      summary: 'nginx auth_request: may the request named by X-Original-URI / X-Original-Method pass?',
      operationId: 'authCheck',
      parameters: [header('X-Original-URI', 'The original request URI ($request_uri)'), header('X-Original-Method', 'The original method ($request_method)')],
      responses: { '204': { description: 'Allowed' }, '401': err('No valid token'), '403': err('Scope too small, or a bad signed link') },
    },
  },
};

export const BEARER_SCHEME = { bearerAuth: { type: 'http', scheme: 'bearer', description: 'API token (subsetd tokens create), with SUBSETD_AUTH=tokens' } };
