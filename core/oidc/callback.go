package oidc

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/identity"
)

// Result is the callback's answer: a GDBOS session for the user.
type Result struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	User      User      `json:"user"`
	// Warnings name group bindings that could not be brought in step; the sign-in
	// succeeds without them.
	Warnings []string `json:"warnings,omitempty"`
}

// User is the signed-in user as the callback reports it.
type User struct {
	ID          int    `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"displayName"`
	HomeTenant  string `json:"homeTenant"`
}

// handleCallback completes a sign-in: it checks the state against the pending
// sign-ins and the browser's cookie, exchanges the code, verifies the ID token,
// signs the user in and answers with the session (or redirects with it, or with
// the refusal, when the sign-in was started with a redirect).
func (f *Federation) handleCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	pd, err := f.takeState(w, r, q.Get("state"))
	if err != nil {
		f.refuse(w, r, "", "", err)
		return
	}
	key := pd.tenant + "/" + pd.provider
	if e := q.Get("error"); e != "" {
		f.refuseTo(w, r, pd.redirect, key, "", apierr.New(apierr.Unauthenticated, "identity provider %s refused the sign-in: %s %s",
			key, e, q.Get("error_description")))
		return
	}
	code := q.Get("code")
	if code == "" {
		f.refuseTo(w, r, pd.redirect, key, "", apierr.New(apierr.BadRequest, "the callback carries no authorization code"))
		return
	}
	res, who, err := f.complete(ctx, pd, code, f.cfg.ClientIP(r))
	if err != nil {
		f.refuseTo(w, r, pd.redirect, key, who, err)
		return
	}
	if pd.redirect != "" {
		frag := url.Values{"token": {res.Token}, "expiresAt": {res.ExpiresAt.Format(time.RFC3339)}}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, pd.redirect+"#"+frag.Encode(), http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// takeState returns the pending sign-in of state, which must also be the value
// of this browser's cookie for it; the cookie is cleared either way.
func (f *Federation) takeState(w http.ResponseWriter, r *http.Request, state string) (pending, error) {
	if state == "" {
		return pending{}, apierr.New(apierr.BadRequest, "the callback carries no state")
	}
	name := cookieName(state)
	http.SetCookie(w, &http.Cookie{Name: name, Path: cookiePath, MaxAge: -1, HttpOnly: true})
	c, err := r.Cookie(name)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		return pending{}, apierr.New(apierr.BadRequest, "this sign-in was not started in this browser, or its state was altered; start the sign-in again")
	}
	return f.pending.take(state)
}

// complete exchanges the code and signs the user in. who is the subject the
// provider asserted, once known, for the audit of a refusal.
func (f *Federation) complete(ctx context.Context, pd pending, code, ip string) (Result, string, error) {
	p, err := f.provider(ctx, pd.tenant, pd.provider)
	if err != nil {
		return Result{}, "", err
	}
	relying, err := f.relyingParty(ctx, p)
	if err != nil {
		return Result{}, "", err
	}
	tokens, err := exchange(ctx, relying, p, code, pd)
	if err != nil {
		return Result{}, "", err
	}
	sub := tokens.IDTokenClaims.Subject
	claims, err := claimsOf(ctx, relying, p, tokens)
	if err != nil {
		return Result{}, sub, err
	}
	res, err := f.signIn(ctx, p, sub, claims, ip)
	return res, sub, err
}

// signIn finds the user linked to sub at p, or provisions one when p allows it,
// opens a session and brings the user's group bindings in step.
func (f *Federation) signIn(ctx context.Context, p provider, sub string, claims map[string]any, ip string) (Result, error) {
	acct := identity.ExternalAccount{Provider: p.key(), Subject: sub, Claims: personClaims(claims)}
	_, err := f.cfg.Identities.ExternalUser(ctx, p.key(), sub)
	if apierr.CodeOf(err) == apierr.NotFound {
		err = f.provision(ctx, p, &acct)
		if apierr.CodeOf(err) == apierr.Conflict {
			// A concurrent first sign-in of the same person may have provisioned them.
			if _, again := f.cfg.Identities.ExternalUser(ctx, p.key(), sub); again == nil {
				err = nil
			}
		}
	}
	if err != nil {
		return Result{}, err
	}
	token, exp, u, err := f.cfg.Identities.LoginExternal(ctx, acct, ip)
	if err != nil {
		return Result{}, err
	}
	warnings := f.syncGroups(ctx, p, u.Username, stringsClaim(claims, p.spec.GroupsClaim))
	return Result{Token: token, ExpiresAt: exp, Warnings: warnings,
		User: User{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, HomeTenant: u.HomeTenant}}, nil
}

// provision creates the user of acct when p allows it.
func (f *Federation) provision(ctx context.Context, p provider, acct *identity.ExternalAccount) error {
	if !p.spec.Provision {
		return apierr.New(apierr.Forbidden, "the account %q at identity provider %s is not linked to a GDBOS user, and this provider does not create users; ask an administrator to link it",
			acct.Subject, p.key())
	}
	acct.Username = strings.ToLower(stringClaim(acct.Claims, p.spec.UsernameClaim))
	if acct.Username == "" {
		return apierr.New(apierr.Forbidden, "identity provider %s sent no %q claim to name the new user", p.key(), p.spec.UsernameClaim)
	}
	acct.DisplayName = stringClaim(acct.Claims, p.spec.DisplayNameClaim)
	acct.HomeTenant = p.tenant
	if c := p.spec.HomeTenantClaim; c != "" {
		if home := stringClaim(acct.Claims, c); home != "" {
			if !f.cfg.Tenants.IsWithin(home, p.tenant) {
				return apierr.New(apierr.Forbidden, "identity provider %s names home tenant %q, which is not %s or below it", p.key(), home, p.tenant)
			}
			acct.HomeTenant = home
		}
	}
	_, err := f.cfg.Identities.ProvisionExternal(ctx, Actor, *acct)
	return err
}

// tokenClaims describe the token rather than the person; they are not kept
// with the link.
var tokenClaims = []string{"iss", "aud", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "azp",
	"auth_time", "jti", "sid", "acr", "amr", "client_id"}

func personClaims(claims map[string]any) map[string]any {
	out := make(map[string]any, len(claims))
	for k, v := range claims {
		if !slices.Contains(tokenClaims, k) {
			out[k] = v
		}
	}
	return out
}

func stringClaim(claims map[string]any, name string) string {
	s, _ := claims[name].(string)
	return strings.TrimSpace(s)
}

// stringsClaim reads a claim that is a list of strings or a single string.
func stringsClaim(claims map[string]any, name string) []string {
	switch v := claims[name].(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
