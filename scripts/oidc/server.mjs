// An OpenID Connect provider for the tests of the portal's single sign-on: the certified
// `oidc-provider` package with a plain login page and the people of a JSON file.
//
//   node server.mjs CONFIG.json
//
// CONFIG: {"port": 0, "client": {"client_id", "client_secret", "redirect_uris",
//          "post_logout_redirect_uris"}, "accounts": {"login": {"password", claims...}}}
// With port 0 a free port is chosen. Prints "listening <issuer>" on stdout when ready.
// The login page accepts a person's login and password; consent is given with the login.

import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

const server = http.createServer();
server.listen(config.port || 0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      ...config.client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'email', 'profile', 'groups'],
    // Every client has to send a PKCE challenge, as the portal does.
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Abmelden', `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Abmelden</button>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Abgemeldet', '<p>Sie sind beim Anmeldedienst abgemeldet.</p>');
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (ctx, id) => {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => {
          const { password, ...claims } = account;
          return { sub: id, ...claims };
        },
      };
    },
    // The portal is a first-party client: the grant covers what it asks for.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
    cookies: { keys: ['portal-test-oidc-provider'] },
  });
  provider.proxy = false;
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    if (req.url === '/favicon.ico') {
      res.statusCode = 204;
      res.end();
      return;
    }
    const match = req.url.match(/^\/interaction\/([\w-]+)$/);
    if (!match) {
      callback(req, res);
      return;
    }
    try {
      await provider.interactionDetails(req, res);
      if (req.method === 'POST') {
        const form = await readForm(req);
        const login = form.get('login') || '';
        const account = accounts[login];
        if (account && account.password === form.get('password')) {
          await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
          return;
        }
        res.statusCode = 200;
      }
      const error = req.method === 'POST' ? '<p role="alert">Anmeldedaten falsch.</p>' : '';
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(page('Anmeldedienst', `${error}<form method="post" action="/interaction/${escape(match[1])}">
        <label for="login">Kennung</label> <input id="login" name="login" autocomplete="username">
        <label for="password">Kennwort</label> <input id="password" name="password" type="password">
        <button type="submit">Weiter</button></form>`));
    } catch (error) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(String(error));
    }
  });
  process.stdout.write(`listening ${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
