// A local OpenID Provider for tests: panva's oidc-provider (a certified OP) with a small
// configuration. Written to target/peers/node/ and started by `cargo xtask peers up`.
//
// Clients:
//   native-app   public (PKCE S256), loopback redirect on any port (RFC 8252 §7.3) and a
//                custom-scheme redirect; authorization code, refresh token, device code.
//   service      confidential (client_secret_basic), client credentials.
// Headless login: GET /interaction/<uid> logs in the account named by the authorization
// request's `login_hint` (default "alice") and grants consent, without a browser. A
// `login_hint` of "deny" ends the interaction with error=access_denied.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = process.env.ISSUER ?? `http://127.0.0.1:${port}`;

const accounts = new Map();
function account(id) {
  if (!accounts.has(id)) {
    accounts.set(id, {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.com`, email_verified: true, name: id };
      },
    });
  }
  return accounts.get(id);
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'native-app',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback', 'com.example.app:/callback'],
      post_logout_redirect_uris: ['http://127.0.0.1/logout'],
      grant_types: [
        'authorization_code',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
      response_types: ['code'],
    },
    {
      client_id: 'service',
      client_secret: 'service-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  cookies: { keys: ['local-test-only-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false,
  scopes: ['openid', 'offline_access', 'email', 'profile'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    deviceFlow: { enabled: true },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  async findAccount(ctx, id) {
    return account(id);
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AccessToken: 300, IdToken: 300, AuthorizationCode: 60, RefreshToken: 86400 },
});

// Finish login and consent without a browser.
provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/interaction/')) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params } = details;
  let result;
  if (params.login_hint === 'deny') {
    result = { error: 'access_denied', error_description: 'the user declined' };
  } else if (prompt.name === 'login') {
    result = { login: { accountId: params.login_hint || 'alice' } };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    result = { consent: { grantId: await grant.save() } };
  }
  const location = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: false,
  });
  ctx.status = 303;
  ctx.redirect(location);
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
