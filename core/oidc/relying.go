package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"

	"github.com/gdbos/gdbos/core/apierr"
)

// discoveryTTL is how long a provider's discovery document is trusted before it
// is read again. Signing keys are refreshed independently, on an unknown key ID.
const discoveryTTL = time.Hour

// errUnavailable marks failures to reach a provider or to make sense of its
// answers; the callback answers them with 502 Bad Gateway.
var errUnavailable = errors.New("oidc: identity provider unavailable")

type nonceKey struct{}

func nonceFrom(ctx context.Context) string {
	n, _ := ctx.Value(nonceKey{}).(string)
	return n
}

type rpEntry struct {
	rp          rp.RelyingParty
	fingerprint string
	fetched     time.Time
}

// rpCache keeps one relying party (discovery document, JWKS cache) per provider.
type rpCache struct {
	mu     sync.Mutex
	m      map[string]rpEntry
	client *http.Client
	now    func() time.Time
}

func newRPCache(client *http.Client, now func() time.Time) *rpCache {
	return &rpCache{m: map[string]rpEntry{}, client: client, now: now}
}

// get returns the relying party of p, discovering the provider when its
// configuration changed or the cached discovery is old.
func (c *rpCache) get(ctx context.Context, p provider, secret string) (rp.RelyingParty, error) {
	fp := fingerprint(p.spec, secret)
	c.mu.Lock()
	e, ok := c.m[p.key()]
	c.mu.Unlock()
	if ok && e.fingerprint == fp && c.now().Sub(e.fetched) < discoveryTTL {
		return e.rp, nil
	}
	relying, err := rp.NewRelyingPartyOIDC(ctx, p.spec.Issuer, p.spec.ClientID, secret, p.spec.RedirectURL, p.spec.Scopes,
		rp.WithHTTPClient(c.client), rp.WithVerifierOpts(rp.WithNonce(nonceFrom)))
	if err != nil {
		return nil, apierr.Wrap(apierr.Internal, fmt.Errorf("%w: %w", errUnavailable, err),
			"identity provider %s cannot be reached or its discovery document at %s is invalid", p.key(), p.spec.Issuer)
	}
	c.mu.Lock()
	c.m[p.key()] = rpEntry{rp: relying, fingerprint: fp, fetched: c.now()}
	c.mu.Unlock()
	return relying, nil
}

func fingerprint(s Spec, secret string) string {
	h := sha256.New()
	for _, v := range []string{s.Issuer, s.ClientID, secret, s.RedirectURL, strings.Join(s.Scopes, " ")} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// verificationErrors are the ID token checks whose failure means the token must
// not be trusted, as opposed to the provider being unreachable.
var verificationErrors = []error{
	zoidc.ErrParse, zoidc.ErrIssuerInvalid, zoidc.ErrSubjectMissing, zoidc.ErrSubjectInvalid,
	zoidc.ErrAudience, zoidc.ErrAzpMissing, zoidc.ErrAzpInvalid, zoidc.ErrSignatureMissing,
	zoidc.ErrSignatureMultiple, zoidc.ErrSignatureUnsupportedAlg, zoidc.ErrSignatureInvalidPayload,
	zoidc.ErrSignatureInvalid, zoidc.ErrExpired, zoidc.ErrIatMissing, zoidc.ErrIatInFuture,
	zoidc.ErrIatToOld, zoidc.ErrNonceInvalid, zoidc.ErrAcrInvalid, zoidc.ErrAuthTimeNotPresent,
	zoidc.ErrAuthTimeToOld, zoidc.ErrAtHash, rp.ErrMissingIDToken,
}

// exchange trades code for tokens with the PKCE verifier and verifies the ID
// token: issuer, audience, signature against the provider's JWKS, expiry and nonce.
func exchange(ctx context.Context, relying rp.RelyingParty, p provider, code string, pd pending) (*zoidc.Tokens[*zoidc.IDTokenClaims], error) {
	ctx = context.WithValue(ctx, nonceKey{}, pd.nonce)
	tokens, err := rp.CodeExchange[*zoidc.IDTokenClaims](ctx, code, relying, rp.WithCodeVerifier(pd.verifier))
	if err == nil {
		err = onlyAudience(tokens.IDTokenClaims, p.spec.ClientID)
	}
	if err == nil {
		return tokens, nil
	}
	for _, v := range verificationErrors {
		if errors.Is(err, v) {
			return nil, apierr.Wrap(apierr.Unauthenticated, fmt.Errorf("oidc: verify id token: %w", err),
				"the ID token from identity provider %s failed verification: %v", p.key(), err)
		}
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return nil, apierr.Wrap(apierr.Unauthenticated, fmt.Errorf("oidc: exchange code: %w", err),
			"identity provider %s refused the authorization code (%s); it may have been used already or expired", p.key(), oauthErrorCode(re))
	}
	return nil, apierr.Wrap(apierr.Internal, fmt.Errorf("%w: exchange code: %w", errUnavailable, err),
		"identity provider %s could not complete the sign-in", p.key())
}

// onlyAudience refuses ID tokens meant for other clients too. OIDC Core 3.1.3.7
// lets a client accept additional audiences it trusts; GDBOS trusts none, so a
// token minted for another application cannot be replayed here.
func onlyAudience(claims *zoidc.IDTokenClaims, clientID string) error {
	for _, aud := range claims.Audience {
		if aud != clientID {
			return fmt.Errorf("%w: it also names %q, which GDBOS does not trust", zoidc.ErrAudience, aud)
		}
	}
	return nil
}

func oauthErrorCode(re *oauth2.RetrieveError) string {
	if re.ErrorCode != "" {
		return re.ErrorCode
	}
	if re.Response != nil {
		return fmt.Sprintf("HTTP %d", re.Response.StatusCode)
	}
	return "no error code"
}

// claimsOf returns the ID token's claims, completed from the userinfo endpoint
// when the ID token lacks a claim the provider's configuration names: many
// providers put profile and group claims only there. ID token claims win.
func claimsOf(ctx context.Context, relying rp.RelyingParty, p provider, tokens *zoidc.Tokens[*zoidc.IDTokenClaims]) (map[string]any, error) {
	claims := maps.Clone(tokens.IDTokenClaims.Claims)
	if claims == nil {
		claims = map[string]any{}
	}
	needed := []string{p.spec.UsernameClaim, p.spec.GroupsClaim}
	if p.spec.HomeTenantClaim != "" {
		needed = append(needed, p.spec.HomeTenantClaim)
	}
	missing := false
	for _, c := range needed {
		if _, ok := claims[c]; !ok {
			missing = true
		}
	}
	if !missing || relying.UserinfoEndpoint() == "" || tokens.AccessToken == "" {
		return claims, nil
	}
	info, err := rp.Userinfo[*zoidc.UserInfo](ctx, tokens.AccessToken, tokens.TokenType, tokens.IDTokenClaims.Subject, relying)
	if err != nil {
		return nil, apierr.Wrap(apierr.Internal, fmt.Errorf("%w: userinfo: %w", errUnavailable, err),
			"identity provider %s did not answer its userinfo endpoint", p.key())
	}
	for k, v := range info.Claims {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return claims, nil
}
