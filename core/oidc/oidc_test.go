package oidc_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/oidc"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

const loginPath = "/auth/oidc/230000/hlj/login"

var groupBindings = []any{
	map[string]any{"group": "county-officers", "role": "officer", "tenant": "230102"},
	map[string]any{"group": "province-admins", "role": "admin"},
	map[string]any{"group": "auditors", "role": "auditor"},
}

var (
	countyBinding   = oidc.BindingName("hlj", "county-officers", "officer")
	provinceBinding = oidc.BindingName("hlj", "province-admins", "admin")
	auditorBinding  = oidc.BindingName("hlj", "auditors", "auditor")
)

// TestFederation signs in through a real OpenID provider, end to end.
func TestFederation(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.applyProvider(t, "hlj", map[string]any{"groupBindings": groupBindings})
		b := e.browser(t)

		t.Run("unknown user refused when provisioning is off", func(t *testing.T) {
			before := e.refusals(t)
			status, body := b.signIn(loginPath, "zhangsan")
			wantError(t, status, body, http.StatusForbidden, "FORBIDDEN", "not linked to a GDBOS user")
			if _, err := e.ids.GetUser(ctx, "zhangsan"); err == nil {
				t.Fatal("zhangsan was created")
			}
			if e.refusals(t) != before+1 {
				t.Fatal("the refusal is not in the audit log")
			}
		})

		e.applyProvider(t, "hlj", map[string]any{"groupBindings": groupBindings, "provision": true})

		t.Run("unknown user provisioned when allowed", func(t *testing.T) {
			status, body := b.signIn(loginPath, "zhangsan")
			p := e.wantSession(t, status, body, "zhangsan")
			if p.HomeTenant != "230000" {
				t.Fatalf("home tenant %q, want the provider's 230000", p.HomeTenant)
			}
			u, err := e.ids.GetUser(ctx, "zhangsan")
			must(t, err)
			if u.DisplayName != "Zhang San" || u.HomePath != "/230000/" {
				t.Fatalf("provisioned %+v", u)
			}
			if _, _, _, err := e.ids.Login(ctx, "zhangsan", "", "10.0.0.1"); err == nil {
				t.Fatal("a provisioned user signs in with an empty password")
			}
		})

		t.Run("group claim creates a role binding at the configured tenant", func(t *testing.T) {
			if got := e.subjects(t, "230102", countyBinding); !slices.Equal(got, []string{"zhangsan"}) {
				t.Fatalf("%s at 230102: %v", countyBinding, got)
			}
			o, err := e.res.Get(ctx, "RoleBinding", "230102", countyBinding)
			must(t, err)
			if o.Spec["role"] != "officer" || o.Metadata.Labels[oidc.LabelManagedBy] != "oidc" || o.Metadata.UpdatedBy != oidc.Actor {
				t.Fatalf("binding %+v", o)
			}
			if e.subjects(t, "230000", provinceBinding) != nil {
				t.Fatal("zhangsan is not a province admin")
			}
		})

		t.Run("known user matched by subject", func(t *testing.T) {
			first, _ := e.ids.GetUser(ctx, "zhangsan")
			status, body := b.signIn(loginPath, "zhangsan")
			if p := e.wantSession(t, status, body, "zhangsan"); p.UserID != first.ID {
				t.Fatalf("user %d, want %d", p.UserID, first.ID)
			}
			_, err := e.ids.CreateUser(ctx, "admin", identity.UserInput{Username: "li.si", Password: "a long local password", HomeTenant: "230100"})
			must(t, err)
			must(t, e.ids.LinkExternal(ctx, "admin", "li.si", "230000/hlj", "sub-li"))
			status, body = b.signIn(loginPath, "lisi")
			if p := e.wantSession(t, status, body, "li.si"); p.HomeTenant != "230100" {
				t.Fatalf("linked user %+v", p)
			}
			if got := e.subjects(t, "230102", countyBinding); !slices.Equal(got, []string{"li.si", "zhangsan"}) {
				t.Fatalf("%s: %v", countyBinding, got)
			}
			if got := e.subjects(t, "230000", provinceBinding); !slices.Equal(got, []string{"li.si"}) {
				t.Fatalf("%s: %v", provinceBinding, got)
			}
		})

		t.Run("leaving a group removes the user from its binding", func(t *testing.T) {
			e.op.st.setGroups("sub-zhang")
			status, body := b.signIn(loginPath, "zhangsan")
			e.wantSession(t, status, body, "zhangsan")
			if got := e.subjects(t, "230102", countyBinding); !slices.Equal(got, []string{"li.si"}) {
				t.Fatalf("%s: %v", countyBinding, got)
			}
		})

		t.Run("a binding written by an administrator is left alone", func(t *testing.T) {
			admin := resource.Object{APIVersion: resource.DefaultAPIVersion, Kind: "RoleBinding", Metadata: resource.Metadata{Tenant: "230000", Name: auditorBinding},
				Spec: map[string]any{"role": "auditor", "subjects": []any{map[string]any{"kind": "User", "name": "li.si"}}}}
			_, err := e.res.Apply(ctx, "admin", []resource.Object{admin}, resource.ApplyOptions{})
			must(t, err)
			status, body := b.signIn(loginPath, "wangwu")
			e.wantSession(t, status, body, "wangwu")
			if w, _ := body["warnings"].([]any); len(w) != 1 || !strings.Contains(w[0].(string), "not managed by this provider") {
				t.Fatalf("warnings %v", body["warnings"])
			}
			if got := e.subjects(t, "230000", auditorBinding); !slices.Equal(got, []string{"li.si"}) {
				t.Fatalf("administrator's binding changed: %v", got)
			}
		})

		t.Run("an existing username is not taken over", func(t *testing.T) {
			_, err := e.ids.CreateUser(ctx, "admin", identity.UserInput{Username: "zhaoliu", Password: "a long local password", HomeTenant: "230100"})
			must(t, err)
			status, body := b.signIn(loginPath, "zhaoliu")
			wantError(t, status, body, http.StatusConflict, "CONFLICT", `user "zhaoliu" already exists`)
		})

		t.Run("home tenant from a claim, within the provider's tenant only; disabled users refused", func(t *testing.T) {
			e.applyProvider(t, "hljc", map[string]any{"provision": true, "homeTenantClaim": "division"})
			status, body := b.signIn("/auth/oidc/230000/hljc/login", "sunqi")
			if p := e.wantSession(t, status, body, "sunqi"); p.HomeTenant != "230102" {
				t.Fatalf("home tenant %q, want 230102 from the claim", p.HomeTenant)
			}
			status, body = b.signIn("/auth/oidc/230000/hljc/login", "zhaoliu")
			wantError(t, status, body, http.StatusForbidden, "FORBIDDEN", `home tenant "110000", which is not 230000 or below it`)
			must(t, e.ids.SetDisabled(ctx, "admin", "wangwu", true))
			e.op.st.setGroups("sub-wang")
			status, body = b.signIn(loginPath, "wangwu")
			wantError(t, status, body, http.StatusUnauthorized, "UNAUTHENTICATED", "disabled")
		})

		refusals(t, e, b)
	})
}

// refusals are the sign-ins that must fail, each with a clear error.
func refusals(t *testing.T, e *env, b *browser) {
	t.Run("tampered state refused", func(t *testing.T) {
		u := b.authorize(loginPath, "zhangsan")
		q := u.Query()
		good := q.Get("state")
		q.Set("state", good[:len(good)-2]+"xx")
		bad := *u
		bad.RawQuery = q.Encode()
		resp, body := b.get(bad.String())
		wantError(t, resp.StatusCode, body, http.StatusBadRequest, "BAD_REQUEST", "state was altered")
		resp, body = b.get(u.String())
		e.wantSession(t, resp.StatusCode, body, "zhangsan")
	})

	t.Run("callback from another browser refused", func(t *testing.T) {
		u := b.authorize(loginPath, "zhangsan")
		resp, body := e.browser(t).get(u.String())
		wantError(t, resp.StatusCode, body, http.StatusBadRequest, "BAD_REQUEST", "not started in this browser")
	})

	t.Run("replayed callback and replayed code refused", func(t *testing.T) {
		used := b.authorize(loginPath, "zhangsan")
		resp, body := b.get(used.String())
		e.wantSession(t, resp.StatusCode, body, "zhangsan")
		resp, body = b.get(used.String())
		wantError(t, resp.StatusCode, body, http.StatusBadRequest, "BAD_REQUEST", "start the sign-in again")

		fresh := b.authorize(loginPath, "zhangsan")
		q := fresh.Query()
		q.Set("code", used.Query().Get("code"))
		fresh.RawQuery = q.Encode()
		resp, body = b.get(fresh.String())
		wantError(t, resp.StatusCode, body, http.StatusUnauthorized, "UNAUTHENTICATED", "refused the authorization code")
	})

	t.Run("expired state refused", func(t *testing.T) {
		u := b.authorize(loginPath, "zhangsan")
		e.clock.Advance(oidc.DefaultStateTTL + time.Minute)
		resp, body := b.get(u.String())
		wantError(t, resp.StatusCode, body, http.StatusBadRequest, "BAD_REQUEST", "expired")
	})

	t.Run("wrong audience refused", func(t *testing.T) {
		e.op.st.wrongAudience.Store(true)
		defer e.op.st.wrongAudience.Store(false)
		status, body := b.signIn(loginPath, "zhangsan")
		wantError(t, status, body, http.StatusUnauthorized, "UNAUTHENTICATED", "audience is not valid")
	})

	t.Run("wrong nonce refused", func(t *testing.T) {
		e.op.st.wrongNonce.Store(true)
		defer e.op.st.wrongNonce.Store(false)
		status, body := b.signIn(loginPath, "zhangsan")
		wantError(t, status, body, http.StatusUnauthorized, "UNAUTHENTICATED", "nonce does not match")
	})

	t.Run("wrong issuer refused", func(t *testing.T) {
		e.op.wrongIssuer.Store(true)
		defer e.op.wrongIssuer.Store(false)
		status, body := b.signIn(loginPath, "zhangsan")
		wantError(t, status, body, http.StatusUnauthorized, "UNAUTHENTICATED", "issuer does not match")
	})

	t.Run("unknown provider refused", func(t *testing.T) {
		resp, body := b.get(e.url + "/auth/oidc/230000/nobody/login")
		wantError(t, resp.StatusCode, body, http.StatusNotFound, "NOT_FOUND", `no identity provider "nobody"`)
	})

	t.Run("provider down", func(t *testing.T) {
		down := "http://127.0.0.1:1"
		_, err := e.res.Apply(ctx, "admin", []resource.Object{{APIVersion: resource.DefaultAPIVersion, Kind: oidc.Kind, Metadata: resource.Metadata{Tenant: "230000", Name: "down"},
			Spec: map[string]any{"issuer": down, "clientID": "x", "redirectURL": e.redirect}}}, resource.ApplyOptions{})
		must(t, err)
		resp, body := b.get(e.url + "/auth/oidc/230000/down/login")
		wantError(t, resp.StatusCode, body, http.StatusBadGateway, "INTERNAL", "cannot be reached")
	})

	t.Run("redirect to a same-origin path with the token in the fragment", func(t *testing.T) {
		resp, body := b.get(e.url + loginPath + "?redirect=//evil.example/")
		wantError(t, resp.StatusCode, body, http.StatusUnprocessableEntity, "VALIDATION_FAILED", "redirect")
		u := b.authorize(loginPath+"?redirect=/console/%3Ftab%3Dme", "zhangsan")
		resp, _ = b.get(u.String())
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/?tab=me#") || !strings.Contains(loc, "token=gds_") {
			t.Fatalf("%d, location %q", resp.StatusCode, loc)
		}
	})

	t.Run("a refusal goes back to the redirect too, in the fragment and the audit log", func(t *testing.T) {
		e.op.wrongIssuer.Store(true)
		defer e.op.wrongIssuer.Store(false)
		before := e.refusals(t)
		u := b.authorize(loginPath+"?redirect=/", "zhangsan")
		resp, _ := b.get(u.String())
		loc, err := url.Parse(resp.Header.Get("Location"))
		must(t, err)
		frag, _ := url.ParseQuery(loc.Fragment)
		if resp.StatusCode != http.StatusSeeOther || loc.Path != "/" || frag.Get("code") != "UNAUTHENTICATED" ||
			!strings.Contains(frag.Get("error"), "issuer does not match") || frag.Has("token") {
			t.Fatalf("%d, location %q", resp.StatusCode, loc)
		}
		if e.refusals(t) != before+1 {
			t.Fatal("the refusal is not in the audit log")
		}
	})
}
