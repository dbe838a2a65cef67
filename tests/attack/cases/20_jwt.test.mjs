// Forged and broken JWTs. Each is sent as the bearer of a write that only
// service_role could make (inserting a tool), so that a token wrongly
// accepted would show both in the status and in the database.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, createSign } from 'node:crypto';
import {
  anonKey, assertAnswer, base64url, databaseFingerprint, forgeToken, jwtSecret, nowSeconds, request, serviceKey, signIn,
} from '../lib.mjs';

let a1;
before(async () => { a1 = await signIn('A1'); });

const later = () => nowSeconds() + 3600;
const serviceClaims = () => ({ role: 'service_role', iss: 'attack', iat: nowSeconds(), exp: later() });
const decodeError = { status: 401, code: 'PGRST301' };
const claimsError = { status: 401, code: 'PGRST303' };

function rsaSigned(header, claims) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url');
  return `${input}.${signature}`;
}

const forgeries = [
  { name: 'alg none', token: () => forgeToken({ alg: 'none', typ: 'JWT' }, serviceClaims(), { signature: '' }), expected: decodeError },
  { name: 'alg NoNe', token: () => forgeToken({ alg: 'NoNe', typ: 'JWT' }, serviceClaims(), { signature: '' }), expected: decodeError },
  { name: 'alg NONE with an HMAC signature', token: () => forgeToken({ alg: 'NONE' }, serviceClaims()), expected: decodeError },
  {
    name: 'HS256 with a wrong secret',
    token: () => forgeToken({ alg: 'HS256', typ: 'JWT' }, serviceClaims(), { secret: 'x'.repeat(40) }), expected: decodeError,
  },
  {
    name: 'the anon key re-signed as service_role with a bad signature',
    token: () => {
      const [header, , signature] = anonKey.split('.');
      return `${header}.${base64url(JSON.stringify(serviceClaims()))}.${signature}`;
    },
    expected: decodeError,
  },
  {
    name: 'RS256 header, HMAC signature with the secret (alg confusion)',
    token: () => forgeToken({ alg: 'RS256', typ: 'JWT' }, serviceClaims()), expected: decodeError,
  },
  {
    name: 'RS256 signed with an unknown RSA key', token: () => rsaSigned({ alg: 'RS256', typ: 'JWT' }, serviceClaims()),
    expected: decodeError,
  },
  {
    name: 'HS256 keyed with the server\'s public ES256 JWK (key confusion)',
    token: async () => {
      const jwks = await request('GET', '/auth/v1/.well-known/jwks.json');
      const publicJwk = JSON.stringify(jwks.json.keys[0]);
      return forgeToken({ alg: 'HS256', kid: jwks.json.keys[0].kid }, serviceClaims(), { secret: publicJwk });
    },
    expected: decodeError,
  },
  {
    name: 'ES256 header with the HS256 secret', token: () => forgeToken({ alg: 'ES256' }, serviceClaims()),
    expected: decodeError,
  },
  { name: 'expired', token: () => forgeToken({ alg: 'HS256' }, { ...serviceClaims(), exp: nowSeconds() - 120 }), expected: claimsError },
  { name: 'nbf in the future', token: () => forgeToken({ alg: 'HS256' }, { ...serviceClaims(), nbf: nowSeconds() + 600 }), expected: claimsError },
  { name: 'exp as a string', token: () => forgeToken({ alg: 'HS256' }, { ...serviceClaims(), exp: String(later()) }), expected: claimsError },
  { name: 'role service_role\\u0000x', token: () => forgeToken({ alg: 'HS256' }, { ...serviceClaims(), role: 'service_role\u0000x' }), expected: claimsError },
  { name: 'a NUL in another claim', token: () => forgeToken({ alg: 'HS256' }, { ...serviceClaims(), sub: 'a\u0000b' }), expected: claimsError },
  { name: 'role postgres', token: () => forgeToken({ alg: 'HS256' }, { ...serviceClaims(), role: 'postgres' }), expected: claimsError },
  { name: 'role authenticator', token: () => forgeToken({ alg: 'HS256' }, { ...serviceClaims(), role: 'authenticator' }), expected: claimsError },
  { name: 'role SERVICE_ROLE (case)', token: () => forgeToken({ alg: 'HS256' }, { ...serviceClaims(), role: 'SERVICE_ROLE' }), expected: claimsError },
  { name: 'role "service_role " (space)', token: () => forgeToken({ alg: 'HS256' }, { ...serviceClaims(), role: 'service_role ' }), expected: claimsError },
  {
    name: 'a 10 KB token', token: () => forgeToken({ alg: 'HS256' }, { ...serviceClaims(), padding: 'p'.repeat(10 * 1024) }),
    expected: decodeError,
  },
  { name: 'malformed base64 in the header', token: () => `e*y.${base64url('{}')}.abc`, expected: decodeError },
  {
    name: 'malformed base64 in the signature',
    token: () => `${forgeToken({ alg: 'HS256' }, serviceClaims()).split('.').slice(0, 2).join('.')}.!!!`, expected: decodeError,
  },
  { name: 'two parts', token: () => forgeToken({ alg: 'HS256' }, serviceClaims()).split('.').slice(0, 2).join('.'), expected: decodeError },
  { name: 'four parts', token: () => `${forgeToken({ alg: 'HS256' }, serviceClaims())}.x`, expected: decodeError },
  { name: 'header not JSON', token: () => `${base64url('not json')}.${base64url('{}')}.${base64url('sig')}`, expected: decodeError },
  { name: 'claims not an object', token: () => forgeToken({ alg: 'HS256' }, ['service_role']), expected: claimsError },
  { name: 'crit header', token: () => forgeToken({ alg: 'HS256', crit: ['exp'] }, serviceClaims()), expected: decodeError },
  { name: 'kid that is a number', token: () => forgeToken({ alg: 'HS256', kid: 7 }, serviceClaims()), expected: decodeError },
];

for (const forgery of forgeries) {
  test(`jwt: ${forgery.name} → ${forgery.expected.status} ${forgery.expected.code}`, async () => {
    const before = await databaseFingerprint(['tools']);
    const token = await forgery.token();
    const answer = await request('POST', '/rest/v1/tools', {
      token, body: { name: 'forged', slug: `forged-${Date.now()}` }, headers: { prefer: 'return=minimal' },
    });
    assertAnswer(answer, forgery.expected, forgery.name);
    assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/, `${forgery.name}: WWW-Authenticate`);
    assert.equal(await databaseFingerprint(['tools']), before, `${forgery.name}: the database changed`);
  });
}

test('jwt: the same forgeries in the apikey header (no Authorization) are refused alike', async () => {
  for (const forgery of forgeries.slice(0, 6)) {
    const answer = await request('GET', '/rest/v1/tools?select=id&limit=1', { apikey: await forgery.token() });
    assertAnswer(answer, forgery.expected, `apikey: ${forgery.name}`);
  }
});

test('jwt: a kid header on an HS256 token signed with the secret is accepted', async () => {
  const token = forgeToken({ alg: 'HS256', typ: 'JWT', kid: 'any-key-id' }, serviceClaims());
  const answer = await request('GET', '/rest/v1/tenants?select=id', { token });
  assert.equal(answer.status, 200, answer.text);
  assert.ok(answer.json.length >= 2, 'service_role sees every tenant');
});

test('jwt: exp within the 30 s leeway is still accepted, a token without exp too', async () => {
  const recent = forgeToken({ alg: 'HS256' }, { role: 'anon', exp: nowSeconds() - 10 });
  assert.equal((await request('GET', '/rest/v1/tools?select=id&limit=1', { token: recent })).status, 200);
  const forever = forgeToken({ alg: 'HS256' }, { role: 'anon' });
  assert.equal((await request('GET', '/rest/v1/tools?select=id&limit=1', { token: forever })).status, 200);
});

test('jwt: an authenticated token for a user, its sub swapped to another user, is refused', async () => {
  const [header, payload, signature] = a1.token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  claims.sub = '00000000-0000-0000-0000-000000000001';
  const answer = await request('GET', '/rest/v1/conversations', { token: `${header}.${base64url(JSON.stringify(claims))}.${signature}` });
  assertAnswer(answer, decodeError, 'swapped sub');
});

test('jwt: Authorization that is not Bearer, an empty bearer', async () => {
  for (const authorization of ['Basic YTpi', 'Bearer ', 'Bearer', `Token ${serviceKey}`]) {
    const answer = await request('GET', '/rest/v1/tools?select=id&limit=1', { apikey: null, headers: { authorization } });
    assertAnswer(answer, decodeError, authorization);
  }
});

test('jwt: the HS256 secret itself is what the suite signs with (sanity)', () => {
  const signature = createHmac('sha256', jwtSecret).update(serviceKey.split('.').slice(0, 2).join('.')).digest('base64url');
  assert.equal(signature, serviceKey.split('.')[2]);
});

test('auth: the user endpoint cannot be used to move a user into another tenant (PUT is 405)', async () => {
  const b1 = await signIn('B1');
  const before = await databaseFingerprint(['auth.users', 'profiles']);
  const answer = await request('PUT', '/auth/v1/user', {
    token: b1.token, body: { data: { role: 'owner' }, app_metadata: { tenant_id: a1.tenantId } },
  });
  assert.equal(answer.status, 405, answer.text);
  assert.equal(await databaseFingerprint(['auth.users', 'profiles']), before);
  const me = await request('GET', '/auth/v1/user', { token: b1.token });
  assert.equal(me.json.id, b1.user.id);
  assert.equal(me.json.app_metadata.tenant_id, b1.tenantId);
});

test('auth: another tenant\'s global logout does not end A\'s session', async () => {
  const a1Session = await request('POST', '/auth/v1/token?grant_type=password', {
    body: { email: 'a1@tenant-a.test', password: 'password-a1' },
  });
  assert.equal(a1Session.status, 200);
  const b1 = await signIn('B1');
  const logout = await request('POST', '/auth/v1/logout?scope=global', { token: b1.token });
  assert.equal(logout.status, 204, logout.text);
  const refreshed = await request('POST', '/auth/v1/token?grant_type=refresh_token', {
    body: { refresh_token: a1Session.json.refresh_token },
  });
  assert.equal(refreshed.status, 200, refreshed.text);
  assert.equal(refreshed.json.user.id, a1Session.json.user.id);
});
