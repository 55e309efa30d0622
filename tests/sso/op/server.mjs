// A certified OpenID Provider (panva/node-oidc-provider) on loopback, for the portal's SSO
// browser test (tests/e2e/test_sso_real_provider.py), configured as P1's Keycloak realm
// is for the portal: a confidential client, PKCE, RS256 ID tokens carrying a `groups`
// claim, and RP-initiated logout. Everything comes from the environment:
//   OP_PORT, OP_CLIENT_ID, OP_CLIENT_SECRET, OP_REDIRECT_URI, OP_POST_LOGOUT_REDIRECT_URI,
//   OP_ACCOUNTS  {"<login>": {"email": ..., "preferred_username": ..., "groups": [...]}}
// People sign in on the provider's own (development) login page: any password, a login
// named in OP_ACCOUNTS. Prints "ready <issuer>" once it listens.
import Provider from "oidc-provider";

const env = process.env;
const port = Number(env.OP_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(env.OP_ACCOUNTS);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env.OP_CLIENT_ID,
      client_secret: env.OP_CLIENT_SECRET,
      redirect_uris: [env.OP_REDIRECT_URI],
      post_logout_redirect_uris: [env.OP_POST_LOGOUT_REDIRECT_URI],
      token_endpoint_auth_method: "client_secret_post",
      id_token_signed_response_alg: "RS256",
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    // As a Keycloak group mapper does: the groups go with the profile.
    profile: ["preferred_username", "name", "groups"],
  },
  // Scope claims in the ID token too, as Keycloak puts them there.
  conformIdTokenClaims: false,
  findAccount(ctx, id) {
    const person = accounts[id];
    if (!person) return undefined;
    return { accountId: id, claims: () => ({ sub: id, email_verified: true, ...person }) };
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  cookies: { keys: ["test-only-cookie-key"] },
});

provider.listen(port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
