// The OpenID Connect provider the test suite signs in against: oidc-provider on loopback,
// with its own development login page (any login, any password) and a test-only door to
// set what each account's claims are.
//
//   node provider.mjs PORT
//
// Environment: OIDC_JWKS, the private signing keys as a JSON Web Key Set (so a test can
// sign tokens with the provider's own key); OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, the
// portal's registration. It prints "ready" once it listens.
import Provider, { interactionPolicy } from 'oidc-provider';

const port = Number(process.argv[2]);
const issuer = `http://127.0.0.1:${port}`;
const jwks = JSON.parse(process.env.OIDC_JWKS);

// The portal is a first-party client: no consent page after the login page, even though
// it is registered as a native client (below).
const policy = interactionPolicy.base();
policy.get('consent').checks.remove('native_client_prompt');

// Claims by subject; a test replaces an account's claims with POST /test/accounts.
const accounts = new Map();

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      // A native client may come back to any port of a loopback address: each browser
      // test serves the portal on a port of its own.
      application_type: 'native',
      redirect_uris: [
        'http://127.0.0.1/signin/oidc/callback',
        'http://localhost/signin/oidc/callback',
      ],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  // The claims of the granted scopes go in the ID token itself, as most company
  // providers do for groups.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ['test-provider-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  interactions: { policy },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, ...(accounts.get(sub) || {}) };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
});

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString() || '{}');
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/accounts' && ctx.method === 'POST') {
    const { sub, claims } = await readBody(ctx.req);
    accounts.set(sub, claims);
    ctx.status = 204;
    return;
  }
  await next();
});

provider.listen(port, '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
