// A real OpenID provider for Causeway's OIDC tests: the certified oidc-provider package with one confidential client
// and an interaction that signs in a fixed test user without a form (the tests drive the redirects themselves).
// Settings come from the environment: HOST, PORT (0: any free port), CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS
// (comma-separated), ACCESS_TOKEN_TTL (seconds). Each start signs with a new RSA key. Prints "listening <issuer>" once it serves.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 0);
const clientId = process.env.CLIENT_ID ?? 'causeway-test';
const clientSecret = process.env.CLIENT_SECRET ?? 'test-client-secret';
const redirectUris = (process.env.REDIRECT_URIS ?? '').split(',').filter(Boolean);
const accessTtl = Number(process.env.ACCESS_TOKEN_TTL ?? 3600);
const user = process.env.TEST_USER ?? 'test-user';

// A new signing key every start: a restarted provider has rotated its keys (and forgotten every token it issued).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

const server = http.createServer();
await new Promise((resolve) => server.listen(port, host, resolve));
const issuer = `http://${host}:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: {
    AccessToken: accessTtl,
    IdToken: 3600,
    RefreshToken: 86400,
    Session: 86400,
    Grant: 86400,
    Interaction: 600,
    AuthorizationCode: 60,
  },
  // A refresh token for every code grant (without asking for offline_access and consent prompts).
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  findAccount: async (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: `${sub}@example.test`, name: 'Test User' }),
  }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['causeway-test-cookie-key'] },
  jwks: { keys: [signingKey] },
});

// Signs the fixed user in and grants what was asked, at once.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
  if (!match || ctx.method !== 'GET') return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const grant = new provider.Grant({ accountId: user, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  const grantId = await grant.save();
  ctx.respond = false;
  await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user }, consent: { grantId } }, { mergeWithLastSubmission: false });
});

server.on('request', provider.callback());
process.stdout.write(`listening ${issuer}\n`);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test owns this process: when its stdin closes (the test ended or died), stop.
process.stdin.on('end', stop);
process.stdin.resume();
