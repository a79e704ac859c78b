package oidc_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/oidc"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/tenant"
	"github.com/gdbos/gdbos/schemas"
)

var ctx = context.Background()

const secretEnv = "HLJ_OIDC_SECRET"

type clock struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.d)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.d += d
	c.mu.Unlock()
}

// env is a GDBOS with identity, resources and the federation mounted on a
// loopback server, and a real OpenID provider beside it.
type env struct {
	url      string
	redirect string
	op       *testOP
	ids      *identity.Service
	res      *resource.Service
	log      *audit.Log
	clock    *clock
}

func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
	log := audit.New(s)
	must(t, log.Install(ctx))
	bus := event.New(s, event.Options{PollInterval: 20 * time.Millisecond})
	must(t, bus.Start(ctx))
	t.Cleanup(func() { bus.Close() })
	tenants := tenant.New(s)
	if _, err := tenants.LoadDemo(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	ids := identity.New(s, log, bus, identity.Options{TenantPath: func(code string) (string, bool) {
		tt, ok := tenants.Get(code)
		return tt.Path, ok
	}})
	res := resource.New(s, tenants)
	for _, k := range []string{"RoleBinding", oidc.Kind} {
		schema, err := schemas.FS.ReadFile("kinds/" + k + ".json")
		must(t, err)
		kind := resource.Kind{Name: k, Schema: schema}
		if k == oidc.Kind {
			kind.Admit = oidc.Admit(tenants, nil)
		}
		must(t, res.RegisterKind(kind))
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := &env{url: srv.URL, redirect: srv.URL + oidc.CallbackPath, ids: ids, res: res, log: log, clock: &clock{}}
	e.op = newTestOP(t, e.redirect)
	fed, err := oidc.New(oidc.Config{
		Providers: res, Bindings: res, Identities: ids, Tenants: tenants, Now: e.clock.Now,
		Getenv: func(k string) string {
			if k == secretEnv {
				return opSecret
			}
			return ""
		},
	})
	must(t, err)
	fed.Routes(mux)
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// applyProvider configures IdentityProvider name at 230000 against the test OP.
func (e *env) applyProvider(t *testing.T, name string, extra map[string]any) {
	t.Helper()
	spec := map[string]any{"issuer": e.op.issuer, "clientID": opClientID, "clientSecretEnv": secretEnv, "redirectURL": e.redirect}
	for k, v := range extra {
		spec[k] = v
	}
	_, err := e.res.Apply(ctx, "admin", []resource.Object{{APIVersion: resource.DefaultAPIVersion, Kind: oidc.Kind,
		Metadata: resource.Metadata{Tenant: "230000", Name: name}, Spec: spec}}, resource.ApplyOptions{})
	must(t, err)
}

// subjects lists the users of a RoleBinding, nil when it does not exist.
func (e *env) subjects(t *testing.T, tenant, name string) []string {
	t.Helper()
	o, err := e.res.Get(ctx, "RoleBinding", tenant, name)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range o.Spec["subjects"].([]any) {
		out = append(out, s.(map[string]any)["name"].(string))
	}
	slices.Sort(out)
	return out
}

// refusals counts the denied sign-ins in the audit log.
func (e *env) refusals(t *testing.T) int {
	t.Helper()
	_, _, n, err := e.log.List(ctx, audit.Filter{Action: "login", Outcome: audit.OutcomeDenied}, 1, 0)
	must(t, err)
	return n
}

// browser is a user agent with cookies that stops at GDBOS's callback, so tests
// can look at, alter or replay it.
type browser struct {
	t    *testing.T
	e    *env
	jar  http.CookieJar
	http *http.Client
}

func (e *env) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	must(t, err)
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == oidc.CallbackPath {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return &browser{t: t, e: e, jar: jar, http: c}
}

// authorize starts a sign-in at GDBOS's login path, signs in at the provider as
// username and returns the callback URL the provider sends the browser to.
func (b *browser) authorize(loginPath, username string) *url.URL {
	b.t.Helper()
	resp, err := b.http.Get(b.e.url + loginPath)
	must(b.t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	if resp.StatusCode != http.StatusOK || id == "" {
		b.t.Fatalf("login page: %d at %s: %s", resp.StatusCode, resp.Request.URL, body)
	}
	resp, err = b.http.PostForm(resp.Request.URL.String(), url.Values{"id": {id}, "username": {username}, "password": {opPassword}})
	must(b.t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil || loc.Path != oidc.CallbackPath {
		b.t.Fatalf("provider sign-in: %d, location %v: %s", resp.StatusCode, loc, body)
	}
	return loc
}

// get fetches u without following redirects and decodes a JSON answer.
func (b *browser) get(u string) (*http.Response, map[string]any) {
	b.t.Helper()
	c := &http.Client{Jar: b.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	must(b.t, err)
	defer resp.Body.Close()
	var m map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		must(b.t, json.NewDecoder(resp.Body).Decode(&m))
	}
	return resp, m
}

// signIn runs the whole flow and returns the callback's answer.
func (b *browser) signIn(loginPath, username string) (int, map[string]any) {
	b.t.Helper()
	resp, m := b.get(b.authorize(loginPath, username).String())
	return resp.StatusCode, m
}

// wantError checks an error answer's status, code and message.
func wantError(t *testing.T, status int, body map[string]any, wantStatus int, code, msg string) {
	t.Helper()
	errs, _ := body["errors"].([]any)
	if status != wantStatus || len(errs) != 1 {
		t.Fatalf("status %d, body %v; want %d %s %q", status, body, wantStatus, code, msg)
	}
	e := errs[0].(map[string]any)
	gotCode := e["extensions"].(map[string]any)["code"]
	if gotCode != code || !strings.Contains(e["message"].(string), msg) {
		t.Fatalf("error %v %q; want %s containing %q", gotCode, e["message"], code, msg)
	}
}

// wantSession checks a successful answer and returns the principal of its token.
func (e *env) wantSession(t *testing.T, status int, body map[string]any, username string) identity.Principal {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, body)
	}
	tok, _ := body["token"].(string)
	p, err := e.ids.Authenticate(ctx, tok)
	must(t, err)
	if p.Username != username || body["user"].(map[string]any)["username"] != username {
		t.Fatalf("signed in as %q (answer %v), want %q", p.Username, body["user"], username)
	}
	if _, err := time.Parse(time.RFC3339, body["expiresAt"].(string)); err != nil {
		t.Fatalf("expiresAt: %v", err)
	}
	return p
}
