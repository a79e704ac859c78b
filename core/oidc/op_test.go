package oidc_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/storage"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The OpenID provider the tests sign in through: zitadel's OP with the example
// in-memory storage, its users and groups, and switches that make it misbehave.
const (
	opClientID = "gdbos"
	opSecret   = "province-secret"
	opPassword = "correct horse"
)

type opUser struct {
	sub, username, name string
	groups              []string
	// division is the user's tenant code, in the "division" claim.
	division string
}

var opUsers = []opUser{
	{"sub-zhang", "zhangsan", "Zhang San", []string{"county-officers"}, ""},
	{"sub-li", "lisi", "Li Si", []string{"province-admins", "county-officers"}, ""},
	{"sub-wang", "wangwu", "Wang Wu", []string{"auditors"}, "230102"},
	{"sub-zhao", "zhaoliu", "Zhao Liu", nil, "110000"},
	{"sub-sun", "sunqi", "Sun Qi", nil, "230102"},
}

type testOP struct {
	srv    *httptest.Server
	issuer string
	st     *opStorage
	// wrongIssuer makes the token endpoint sign ID tokens as another issuer.
	wrongIssuer atomic.Bool
}

// opStorage adds the groups claim to ID tokens and can issue them for another
// audience.
type opStorage struct {
	*storage.Storage
	mu            sync.Mutex
	groups        map[string][]string
	wrongAudience atomic.Bool
	wrongNonce    atomic.Bool
}

func (s *opStorage) setGroups(sub string, groups ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[sub] = groups
}

func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, ui *zoidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.groups[req.GetSubject()]; ok {
		ui.AppendClaims("groups", g)
	}
	for _, u := range opUsers {
		if u.sub == req.GetSubject() && u.division != "" {
			ui.AppendClaims("division", u.division)
		}
	}
	return nil
}

func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.Storage.AuthRequestByCode(ctx, code)
	if err != nil || (!s.wrongAudience.Load() && !s.wrongNonce.Load()) {
		return r, err
	}
	t := tampered{AuthRequest: r, aud: r.GetAudience(), nonce: r.GetNonce()}
	if s.wrongAudience.Load() {
		t.aud = []string{"another-client"}
	}
	if s.wrongNonce.Load() {
		t.nonce = "forged"
	}
	return t, nil
}

// tampered is an authorization request whose ID token will carry another
// audience or nonce.
type tampered struct {
	op.AuthRequest
	aud   []string
	nonce string
}

func (t tampered) GetAudience() []string { return t.aud }
func (t tampered) GetNonce() string      { return t.nonce }

type userStore map[string]*storage.User

func (u userStore) GetUserByID(id string) *storage.User { return u[id] }
func (u userStore) ExampleClientID() string             { return storage.ServiceUserID }
func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}

func newTestOP(t *testing.T, redirectURL string) *testOP {
	t.Helper()
	mux := http.NewServeMux()
	o := &testOP{srv: httptest.NewServer(mux)}
	t.Cleanup(o.srv.Close)
	o.issuer = o.srv.URL
	users := userStore{}
	groups := map[string][]string{}
	for _, u := range opUsers {
		users[u.sub] = &storage.User{ID: u.sub, Username: u.username, Password: opPassword, FirstName: u.name,
			Email: u.username + "@gov.example", EmailVerified: true}
		groups[u.sub] = u.groups
	}
	clients := map[string]*storage.Client{opClientID: storage.WebClient(opClientID, opSecret, redirectURL)}
	o.st = &opStorage{Storage: storage.NewStorageWithClients(users, clients), groups: groups}
	issuer := func(bool) (op.IssuerFromRequest, error) {
		return func(r *http.Request) string {
			if o.wrongIssuer.Load() && r.URL.Path == "/oauth/token" {
				return "http://impostor.invalid"
			}
			return o.issuer
		}, nil
	}
	provider, err := op.NewProvider(&op.Config{CryptoKey: sha256.Sum256([]byte("test")), CodeMethodS256: true, AuthMethodPost: true},
		o.st, issuer, op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	callback := op.AuthCallbackURL(provider)
	mux.HandleFunc("GET /login/username", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`<form method="post"><input name="id" value="` + r.FormValue("authRequestID") + `"></form>`))
	})
	mux.HandleFunc("POST /login/username", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue("id")
		if err := o.st.CheckUsernamePassword(r.FormValue("username"), r.FormValue("password"), id); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", provider)
	return o
}
