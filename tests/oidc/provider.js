// A conformant OpenID provider (oidc-provider, certified by the OpenID Foundation) on loopback,
// standing in for ProConnect in the tests and in `make oidc-dev`. Any e-mail may sign in (the
// provider vouches for identities; whether that person may use the dashboard is the registry's
// answer). Settings, from the environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI.
//
// Test-only switch: `POST /test/mode` with a body of `expired`, `wrong_nonce` or `wrong_key`
// makes the next token answer carry an ID token that is expired, bound to another nonce, or
// signed by a key the provider does not publish; the mode then goes back to `normal`.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const port = Number(process.env.PORT || 5010);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.CLIENT_ID || 'tableau-de-bord';
const clientSecret = process.env.CLIENT_SECRET || 'secret-de-demonstration-du-fournisseur-local';
const redirectUri = process.env.REDIRECT_URI || 'http://127.0.0.1:5003/connexion/oidc/retour';
const KID = 'cle-de-test';
const MODES = new Set(['normal', 'expired', 'wrong_nonce', 'wrong_key']);

const signing = await jose.generateKeyPair('RS256', { extractable: true });
const rogue = await jose.generateKeyPair('RS256');
const publicJwk = { ...(await jose.exportJWK(signing.privateKey)), kid: KID, alg: 'RS256', use: 'sig' };
let mode = 'normal';

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [publicJwk] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], email: ['email', 'email_verified'] },
  conformIdTokenClaims: false,
  acrValues: ['eidas1'],
  cookies: { keys: [randomBytes(32).toString('hex')] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: sub, email_verified: true }),
  }),
  // No consent screen: a professional identity federation asks none for its partners' services.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email');
    await grant.save();
    return grant;
  },
});

// The test-only switch rewrites the ID token of the next token answer.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || ctx.status !== 200 || mode === 'normal' || !ctx.body?.id_token) {
    return;
  }
  const claims = jose.decodeJwt(ctx.body.id_token);
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (mode === 'wrong_nonce') claims.nonce = 'une-autre-valeur';
  const key = mode === 'wrong_key' ? rogue.privateKey : signing.privateKey;
  ctx.body = {
    ...ctx.body,
    id_token: await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: KID }).sign(key),
  };
  mode = 'normal';
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Fournisseur d'identité de test</title></head>
<body><main><h1>Fournisseur d'identité de test</h1>
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="email">Adresse électronique</label>
<input id="email" name="email" type="email" required autofocus>
<button type="submit" id="valider">Se connecter</button>
</form></main></body></html>`;
}

async function body(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const login = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (url.pathname === '/test/mode' && req.method === 'POST') {
      const wanted = (await body(req)).trim();
      if (!MODES.has(wanted)) {
        res.writeHead(400).end('unknown mode');
        return;
      }
      mode = wanted;
      res.writeHead(204).end();
    } else if (login && req.method === 'GET' && !login[2]) {
      const details = await provider.interactionDetails(req, res);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid));
    } else if (login && req.method === 'POST' && login[2]) {
      await provider.interactionDetails(req, res);
      const email = new URLSearchParams(await body(req)).get('email') || '';
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: email.trim(), acr: 'eidas1', amr: ['pwd'] } },
        { mergeWithLastSubmission: false },
      );
    } else {
      callback(req, res);
    }
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
  }
});
server.listen(port, '127.0.0.1', () => console.log(`fournisseur OIDC de test : ${issuer}`));
