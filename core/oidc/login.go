package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"golang.org/x/oauth2"

	"github.com/gdbos/gdbos/core/apierr"
)

// cookiePrefix starts the name of the cookie that binds a pending sign-in to the
// browser that started it, so that a callback URL carried to another browser
// (login CSRF) fails. Each sign-in has its own cookie, so two tabs do not clash.
const cookiePrefix = "gdbos_oidc_"

const cookiePath = "/auth/oidc/"

func cookieName(state string) string {
	h := sha256.Sum256([]byte(state))
	return cookiePrefix + hex.EncodeToString(h[:8])
}

// handleLogin starts a sign-in: it remembers a fresh state, nonce and PKCE
// verifier and sends the browser to the provider with the S256 challenge.
func (f *Federation) handleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenant, name := r.PathValue("tenant"), r.PathValue("provider")
	fail := func(err error) { f.refuse(w, r, tenant+"/"+name, "", err) }
	redirect, err := sameOriginPath(r.URL.Query().Get("redirect"))
	if err != nil {
		fail(err)
		return
	}
	p, err := f.provider(ctx, tenant, name)
	if err != nil {
		fail(err)
		return
	}
	relying, err := f.relyingParty(ctx, p)
	if err != nil {
		fail(err)
		return
	}
	nonce, err := randomString()
	if err != nil {
		fail(err)
		return
	}
	verifier := oauth2.GenerateVerifier()
	state, err := f.pending.put(pending{tenant: tenant, provider: name, verifier: verifier, nonce: nonce, redirect: redirect})
	if err != nil {
		fail(err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(state), Value: state, Path: cookiePath, MaxAge: int(f.cfg.StateTTL.Seconds()),
		HttpOnly: true, Secure: strings.HasPrefix(p.spec.RedirectURL, "https://"), SameSite: http.SameSiteLaxMode,
	})
	target := relying.OAuthConfig().AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", nonce))
	http.Redirect(w, r, target, http.StatusFound)
}

// relyingParty returns p's relying party with its client secret.
func (f *Federation) relyingParty(ctx context.Context, p provider) (rp.RelyingParty, error) {
	secret := ""
	if env := p.spec.ClientSecretEnv; env != "" {
		if secret = f.cfg.Getenv(env); secret == "" {
			return nil, apierr.New(apierr.Internal, "identity provider %s: the client secret variable %s is not set on this server", p.key(), env)
		}
	}
	return f.rps.get(ctx, p, secret)
}

// sameOriginPath accepts "" or an absolute path on this server, such as
// "/console/", and refuses anything that could leave it ("//host", "https://…",
// "/\host").
func sameOriginPath(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	bad := err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(s, "/") ||
		strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n")
	if bad {
		return "", apierr.Invalid("invalid sign-in request", []apierr.FieldError{{Path: "redirect", Message: "must be a path on this server, starting with a single '/'"}})
	}
	u.Fragment = ""
	return u.String(), nil
}
