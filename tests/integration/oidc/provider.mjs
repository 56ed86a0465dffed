// A real OpenID provider for the integration tests: the certified
// `oidc-provider` package (version pinned in package.json / package-lock.json),
// as a development issuer on a loopback port over plain http.
//
// Configured by the environment (the gateway's own login tests reuse it):
//   OIDC_PORT              port to listen on (required)
//   OIDC_ISSUER            issuer URL (default http://127.0.0.1:$OIDC_PORT)
//   OIDC_CLIENT_ID         the confidential client of the sign-in (required)
//   OIDC_CLIENT_SECRET     its secret, client_secret_basic (required)
//   OIDC_REDIRECT_URI      its one redirect URI (required)
//   OIDC_ACCOUNTS          JSON file: {"<account id>": {claims...}} (required);
//                          claims such as employee_id, groups, preferred_username,
//                          name, email are released with the profile/email scopes
//   OIDC_MACHINE_CLIENT_ID, OIDC_MACHINE_CLIENT_SECRET
//                          optional: a client_credentials client for machines
//   OIDC_RESOURCE          the API's resource indicator, audience of the machines'
//                          JWT access tokens (default urn:entretiens:api)
//   OIDC_RESOURCE_SCOPES   scopes of that resource (default "ingest read")
//   OIDC_ID_TOKEN_ALG      RS256 (default), PS256 or ES256
//   OIDC_ACCESS_TOKEN_ALG  ES256 (default), RS256 or PS256
//
// The login needs no browser: GET /interaction/<uid> shows a form posting the
// account id (`login`) to /interaction/<uid>/login; the consent form posts
// to /interaction/<uid>/confirm.  Both answer 303 back to the provider.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider, { errors } from 'oidc-provider';

const env = (name, def) => {
  const v = process.env[name];
  if (v !== undefined && v !== '') return v;
  if (def === undefined) {
    console.error(`provider: ${name} is required`);
    process.exit(2);
  }
  return def;
};

const port = Number(env('OIDC_PORT'));
const issuer = env('OIDC_ISSUER', `http://127.0.0.1:${port}`);
const clientId = env('OIDC_CLIENT_ID');
const clientSecret = env('OIDC_CLIENT_SECRET');
const redirectUri = env('OIDC_REDIRECT_URI');
const accounts = JSON.parse(readFileSync(env('OIDC_ACCOUNTS'), 'utf8'));
const machineId = env('OIDC_MACHINE_CLIENT_ID', '');
const machineSecret = env('OIDC_MACHINE_CLIENT_SECRET', '');
const resource = env('OIDC_RESOURCE', 'urn:entretiens:api');
const resourceScopes = env('OIDC_RESOURCE_SCOPES', 'ingest read');
const idTokenAlg = env('OIDC_ID_TOKEN_ALG', 'RS256');
const accessTokenAlg = env('OIDC_ACCESS_TOKEN_ALG', 'ES256');

// Fresh signing keys at each start: one RSA (no "alg": RS256 and PS256),
// one EC P-256 (ES256).
const signingKey = (type, options, alg) => {
  const jwk = generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `${type}-${randomBytes(6).toString('hex')}`, use: 'sig', ...(alg ? { alg } : {}) };
};
const keys = [
  signingKey('rsa', { modulusLength: 2048 }),
  signingKey('ec', { namedCurve: 'P-256' }, 'ES256'),
];

const clients = [{
  client_id: clientId,
  client_secret: clientSecret,
  redirect_uris: [redirectUri],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  id_token_signed_response_alg: idTokenAlg,
}];
if (machineId) {
  clients.push({
    client_id: machineId,
    client_secret: machineSecret,
    redirect_uris: [],
    response_types: [],
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: resourceScopes,
  });
}

const configuration = {
  clients,
  jwks: { keys },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  scopes: ['openid', 'offline_access', 'profile', 'email', ...resourceScopes.split(' ')],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'employee_id', 'groups'],
    email: ['email', 'email_verified'],
  },
  // Put the scopes' claims in the ID token itself (the gateway reads no
  // userinfo): oidc-provider otherwise keeps them for userinfo in the code flow.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => {
    if (!Object.hasOwn(accounts, id)) return undefined;
    return { accountId: id, claims: async () => ({ ...accounts[id], sub: id }) };
  },
  pkce: { methods: ['S256'], required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // the machine client gets JWT access tokens for the API without
      // having to name it; the sign-in client asks for no resource
      defaultResource: (ctx, client) => (client && client.clientId === machineId ? resource : undefined),
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return {
          scope: resourceScopes,
          audience: resource,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: accessTokenAlg } },
        };
      },
    },
  },
};

const provider = new Provider(issuer, configuration);

const html = (body) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>test provider</title></head><body>${body}</body></html>`;
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const formBody = async (req) => {
  let data = '';
  for await (const chunk of req) {
    data += chunk;
    if (data.length > 65536) throw new Error('form too large');
  }
  return new URLSearchParams(data);
};

// The interactions (login, consent), before oidc-provider's own routes.
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm))?$/);
  if (!m) return next();
  const [, uid, step] = m;
  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (e) {
    ctx.status = 400;
    ctx.body = html(`<p>no such interaction: ${escape(e.message)}</p>`);
    return undefined;
  }
  const { prompt, params, session } = details;
  if (ctx.method === 'GET' && !step) {
    ctx.type = 'html';
    ctx.body = prompt.name === 'login'
      ? html(`<form method="post" action="/interaction/${uid}/login"><label>account <input name="login"></label><button>Sign in</button></form>`)
      : html(`<p>${escape(params.client_id)} asks for ${escape(params.scope)}</p><form method="post" action="/interaction/${uid}/confirm"><button>Continue</button></form>`);
    return undefined;
  }
  if (ctx.method !== 'POST' || !step) {
    ctx.status = 405;
    return undefined;
  }
  let result;
  if (step === 'login' && prompt.name === 'login') {
    const form = await formBody(ctx.req);
    const account = form.get('login') || '';
    if (!Object.hasOwn(accounts, account)) {
      ctx.status = 403;
      ctx.type = 'html';
      ctx.body = html(`<p>unknown account</p><form method="post" action="/interaction/${uid}/login"><input name="login"><button>Sign in</button></form>`);
      return undefined;
    }
    result = { login: { accountId: account } };
  } else if (step === 'confirm' && prompt.name === 'consent') {
    await formBody(ctx.req);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    result = { consent: { grantId: await grant.save() } };
  } else {
    ctx.status = 400;
    ctx.body = html(`<p>step ${escape(step)} does not match prompt ${escape(prompt.name)}</p>`);
    return undefined;
  }
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: step !== 'login',
  });
  ctx.status = 303;
  ctx.redirect(redirectTo);
  return undefined;
});

provider.on('server_error', (ctx, err) => console.error('provider: server_error', err));

provider.listen(port, '127.0.0.1', () => {
  console.log(`provider: issuer ${issuer} listening on 127.0.0.1:${port}`);
});
