// A local OpenID Provider for tests: panva's oidc-provider (a certified OP) with a small
// configuration. Written to target/peers/node/ and started by `cargo xtask peers up`.
//
// Clients:
//   native-app   public (PKCE S256), loopback redirect on any port (RFC 8252 §7.3) and a
//                custom-scheme redirect; authorization code, refresh token, device code.
//   service      confidential (client_secret_basic), client credentials.
//   es256-app    like native-app (authorization code + PKCE), but its ID tokens are signed
//                with ES256 (auth-verify/tests/peer_oidc_provider.rs).
// Keys: oidc-provider's development RSA key (kid keystore-CHANGE-ME, RS256: what every other
// client's tokens are signed with, as before) and a test-only P-256 key (kid test-es256).
// Headless login: GET /interaction/<uid> logs in the account named by the authorization
// request's `login_hint` (default "alice") and grants consent, without a browser. A
// `login_hint` of "deny" ends the interaction with error=access_denied.
//
// With COGNITO_SHAPED=1 (the `oidc-cognito` peer) the same provider stands in for a Cognito
// user pool's managed-login domain:
//   - Cognito's paths: /oauth2/authorize, /oauth2/token, /oauth2/userInfo, /oauth2/revoke,
//     and GET /logout?client_id=…&logout_uri=… (drops the session cookie, then redirects to
//     logout_uri if it is one of the client's post-logout URIs; loopback: any port);
//   - Cognito-shaped tokens: a JWT access token (a resource indicator with
//     accessTokenFormat 'jwt') with `username` and `token_use`, an ID token with
//     `cognito:username`, and a refresh token whatever the scopes (Cognito always sends one);
//   - `identity_provider=<name>` (Google, …) logs in `<name>_<login_hint>`, the way Cognito
//     names federated users, and adds an `identities` claim to the ID token.
import Provider from 'oidc-provider';
import devKeystore from 'oidc-provider/lib/consts/dev_keystore.js';

// A P-256 key for ES256 ID tokens, generated for these tests only (never a secret).
const es256Key = {
  kty: 'EC', crv: 'P-256', kid: 'test-es256', use: 'sig', alg: 'ES256',
  x: 'a4NJHreo9nXxWGrO4AD9nwQIwLCpnmQbW8W4eRHtYuU',
  y: 'LWQT_cGgRTzzvzBKt7vC-bw_9xET866-mXZA4r5pwLM',
  d: 'gGjP7X5IMcKeDrVBSGeVpDYsRPcmfzSp8dwxsHlqwJI',
};

const port = Number(process.env.PORT);
const issuer = process.env.ISSUER ?? `http://127.0.0.1:${port}`;
const cognito = process.env.COGNITO_SHAPED === '1';

const accounts = new Map();
function account(id, identityProvider) {
  if (!accounts.has(id)) {
    accounts.set(id, {
      accountId: id,
      async claims() {
        const claims = { sub: id, email: `${id}@example.com`, email_verified: true, name: id };
        if (cognito) {
          claims['cognito:username'] = id;
          claims.token_use = 'id';
          if (identityProvider) {
            claims.identities = [{ providerName: identityProvider, providerType: identityProvider, userId: id.slice(identityProvider.length + 1) }];
          }
        }
        return claims;
      },
    });
  }
  return accounts.get(id);
}

// What a Cognito-shaped instance adds to the configuration.
const cognitoShape = cognito ? {
  routes: {
    authorization: '/oauth2/authorize',
    token: '/oauth2/token',
    userinfo: '/oauth2/userInfo',
    revocation: '/oauth2/revoke',
  },
  extraParams: ['identity_provider', 'idp_identifier', 'lang'],
  claims: {
    openid: ['sub', 'cognito:username', 'token_use', 'identities'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  async extraTokenClaims(ctx, token) {
    return token.kind === 'AccessToken' ? { username: token.accountId, token_use: 'access' } : undefined;
  },
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
} : {};
const cognitoResource = 'urn:amazon:cognito:user-pool';
const cognitoFeatures = cognito ? {
  resourceIndicators: {
    enabled: true,
    defaultResource: () => cognitoResource,
    useGrantedResource: () => true,
    getResourceServerInfo: () => ({
      scope: 'aws.cognito.signin.user.admin',
      accessTokenFormat: 'jwt',
      accessTokenTTL: 300,
    }),
  },
} : {};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'native-app',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback', 'com.example.app:/callback'],
      post_logout_redirect_uris: ['http://127.0.0.1/logout', 'com.example.app:/signed-out'],
      grant_types: [
        'authorization_code',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
      response_types: ['code'],
    },
    {
      client_id: 'es256-app',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
    },
    {
      client_id: 'service',
      client_secret: 'service-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: { keys: [...devKeystore.keys, es256Key] },
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
    ...cognitoFeatures,
  },
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  async findAccount(ctx, id) {
    return accounts.get(id) ?? account(id);
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AccessToken: 300, IdToken: 300, AuthorizationCode: 60, RefreshToken: 86400 },
  ...cognitoShape,
});

// Cognito's GET /logout?client_id=…&logout_uri=…: end the managed-login session, then send the
// browser to logout_uri, which must be a registered sign-out URL of the client.
if (cognito) {
  provider.use(async (ctx, next) => {
    if (ctx.path !== '/logout') return next();
    const { client_id: clientId, logout_uri: logoutUri } = ctx.query;
    const client = clientId ? await provider.Client.find(String(clientId)) : undefined;
    const registered = (client?.postLogoutRedirectUris ?? []).some((uri) => sameLogoutUri(uri, String(logoutUri)));
    if (!client || !logoutUri || !registered) {
      ctx.status = 400;
      ctx.body = 'invalid client_id or logout_uri';
      return undefined;
    }
    for (const name of ['_session', '_session.legacy', '_session.sig', '_session.legacy.sig']) {
      ctx.cookies.set(name, null);
    }
    ctx.status = 302;
    ctx.redirect(String(logoutUri));
    return undefined;
  });
}

// A registered loopback URI matches on any port (RFC 8252 §7.3); anything else exactly.
function sameLogoutUri(registered, given) {
  try {
    const a = new URL(registered);
    const b = new URL(given);
    if (a.protocol === 'http:' && a.hostname === '127.0.0.1') {
      return b.protocol === 'http:' && b.hostname === '127.0.0.1' && a.pathname === b.pathname && !b.search && !b.hash;
    }
  } catch {
    return false;
  }
  return registered === given;
}

// Finish login and consent without a browser.
provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/interaction/')) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params } = details;
  let result;
  if (params.login_hint === 'deny') {
    result = { error: 'access_denied', error_description: 'the user declined' };
  } else if (prompt.name === 'login') {
    const user = params.login_hint || 'alice';
    const idp = cognito && params.identity_provider && params.identity_provider !== 'COGNITO'
      ? String(params.identity_provider) : undefined;
    const accountId = idp ? `${idp}_${user}` : user;
    account(accountId, idp);
    result = { login: { accountId } };
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
