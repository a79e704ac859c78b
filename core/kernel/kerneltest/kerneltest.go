// Package kerneltest starts real kernels for tests: on SQLite always, on PostgreSQL
// when GDBOS_TEST_POSTGRES is set, served over loopback HTTP, with a small GraphQL
// client.
package kerneltest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gdbos/gdbos/core/graph"
	"github.com/gdbos/gdbos/core/kernel"
	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/core/store/storetest"
)

// AdminPassword is the password of the bootstrap superadmin and of the three
// administrators of every test kernel.
const AdminPassword = "admin-test-password"

// The three administrators a test kernel appoints (at the root tenant 230000, the
// first time a test asks for one of them), as a province would on its first day.
const (
	SystemAdmin   = "sys.admin"
	SecurityAdmin = "sec.admin"
	AuditAdmin    = "audit.admin"
)

// Server is a kernel serving HTTP on loopback.
type Server struct {
	K   *kernel.Kernel
	URL string
	// DatabaseURL is empty on SQLite.
	DatabaseURL string
	stop        func()
	appoint     sync.Once
}

// Close stops the server and closes the kernel before the test ends, for tests
// that reopen its database; it is safe to call more than once.
func (s *Server) Close(t testing.TB) {
	t.Helper()
	s.stop()
}

// Options adjust a test kernel.
type Options struct {
	Modules     []module.Module
	DatabaseURL string
	DataDir     string
	NATSURL     string
	NATSSubject string
	Limits      graph.Limits
	// DemoEntities publishes the standard entity schemas on first start.
	DemoEntities bool
}

// Dialects runs fn on a demo kernel over SQLite and, when configured, PostgreSQL.
func Dialects(t *testing.T, opts Options, fn func(t *testing.T, s *Server)) {
	t.Helper()
	DialectOptions(t, func(t *testing.T, o Options) {
		o.Modules, o.DemoEntities = opts.Modules, opts.DemoEntities
		fn(t, Start(t, o))
	})
}

// DialectOptions runs fn once per database with options that select it (a fresh
// PostgreSQL database when GDBOS_TEST_POSTGRES is set), for tests that build their
// kernels themselves.
func DialectOptions(t *testing.T, fn func(t *testing.T, opts Options)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, Options{DataDir: t.TempDir()}) })
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv(storetest.EnvPostgres)
		if dsn == "" {
			t.Skip("set " + storetest.EnvPostgres + "=postgres://… to run the PostgreSQL half of this test")
		}
		fn(t, Options{DatabaseURL: storetest.NewPostgresDB(t, dsn)})
	})
}

// Start runs a kernel with the demo tenants and serves it until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.DataDir == "" && opts.DatabaseURL == "" {
		opts.DataDir = t.TempDir()
	}
	ctx := context.Background()
	k, err := kernel.New(ctx, kernel.Config{
		DataDir: opts.DataDir, DatabaseURL: opts.DatabaseURL, NATSURL: opts.NATSURL, NATSSubject: opts.NATSSubject,
		PluginDataDir: t.TempDir(),
		AdminPassword: AdminPassword, Demo: true, DemoEntities: opts.DemoEntities, Modules: opts.Modules, Limits: opts.Limits,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("kernel: %v", err)
	}
	if err := k.Start(ctx); err != nil {
		t.Fatalf("kernel start: %v", err)
	}
	srv := httptest.NewServer(k.Handler())
	stop := sync.OnceFunc(func() {
		srv.Close()
		if err := k.Close(); err != nil {
			t.Errorf("kernel close: %v", err)
		}
	})
	t.Cleanup(stop)
	return &Server{K: k, URL: srv.URL, DatabaseURL: opts.DatabaseURL, stop: stop}
}

// Response is a decoded GraphQL answer with its HTTP status.
type Response struct {
	Status int
	Data   map[string]any
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
	Body string
}

// Code is the extensions.code of the first error, or "".
func (r Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Do posts a GraphQL request with an optional bearer token.
func (s *Server) Do(t testing.TB, token, query string, vars map[string]any) Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return s.Post(t, token, body)
}

// Data posts a GraphQL request to a tenant's data API, /data/{tenant}/graphql.
//
// With GDBOS_TEST_DIFF_EXEC=1 every query also runs through both of the data API's
// executors (ADR 20), and an answer of the plan that differs from graphql-go's fails
// the test: the whole suite as a differential test. Tests that count statements
// count those runs too.
func (s *Server) Data(t testing.TB, tenant, token, query string, vars map[string]any) Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	if os.Getenv(EnvDiffExec) == "1" {
		s.diffExec(t, tenant, token, query, body)
	}
	return s.post(t, "/data/"+tenant+"/graphql", token, body)
}

// EnvDiffExec turns Data into a differential test of the data API's executors.
const EnvDiffExec = "GDBOS_TEST_DIFF_EXEC"

func (s *Server) diffExec(t testing.TB, tenant, token, query string, body []byte) {
	t.Helper()
	if q := strings.TrimSpace(query); strings.HasPrefix(q, "mutation") || strings.HasPrefix(q, "subscription") {
		return
	}
	var req graph.Request
	if json.Unmarshal(body, &req) != nil {
		return
	}
	g := s.K.Graph()
	fast, planned, err := g.DataAnswer(context.Background(), token, tenant, req, false)
	if err != nil || !planned {
		return
	}
	if generic, _, _ := g.DataAnswer(context.Background(), token, tenant, req, true); !bytes.Equal(fast, generic) {
		t.Errorf("the data API's executors differ on %s:\nplan:    %s\ngraphql: %s", query, fast, generic)
	}
}

// Post sends a raw body to /graphql.
func (s *Server) Post(t testing.TB, token string, body []byte) Response {
	t.Helper()
	return s.post(t, "/graphql", token, body)
}

func (s *Server) post(t testing.TB, path, token string, body []byte) Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := Response{Status: res.StatusCode, Body: string(raw)}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("answer is not JSON (%d): %s", res.StatusCode, raw)
	}
	return out
}

// Login signs in and returns the token; it fails the test on error.
func (s *Server) Login(t testing.TB, username, password string) string {
	t.Helper()
	r := s.Do(t, "", `mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}`, map[string]any{"u": username, "p": password})
	if len(r.Errors) > 0 {
		t.Fatalf("login %s: %s", username, r.Body)
	}
	return r.Data["login"].(map[string]any)["token"].(string)
}

// Superadmin signs in as the bootstrap superadmin, which can only appoint the three
// administrators; once a test has asked for one of them (Admin, Auditor,
// SystemAdministrator), the superadmin is retired and cannot sign in.
func (s *Server) Superadmin(t testing.TB) string { return s.Login(t, "admin", AdminPassword) }

// Admin signs in as the security administrator, who holds every permission but the
// audit trail at the root tenant 230000: most tests act as them.
func (s *Server) Admin(t testing.TB) string {
	t.Helper()
	s.Appoint(t)
	return s.Login(t, SecurityAdmin, AdminPassword)
}

// Auditor signs in as the audit administrator, who reads and verifies the audit log.
func (s *Server) Auditor(t testing.TB) string {
	t.Helper()
	s.Appoint(t)
	return s.Login(t, AuditAdmin, AdminPassword)
}

// SystemAdministrator signs in as the system administrator (tenants, org units,
// users, tokens and configuration).
func (s *Server) SystemAdministrator(t testing.TB) string {
	t.Helper()
	s.Appoint(t)
	return s.Login(t, SystemAdmin, AdminPassword)
}

// Appoint has the bootstrap superadmin create the three administrators and bind them
// at 230000, through GraphQL, once; the kernel then retires the superadmin.
func (s *Server) Appoint(t testing.TB) {
	t.Helper()
	s.appoint.Do(func() {
		root := s.Superadmin(t)
		yaml := ""
		for _, a := range []struct{ user, role string }{{SystemAdmin, "system-admin"}, {SecurityAdmin, "security-admin"}, {AuditAdmin, "audit-admin"}} {
			s.MustDo(t, root, `mutation($u:String!,$p:String!){createUser(input:{username:$u,password:$p,homeTenant:"230000"}){id}}`,
				map[string]any{"u": a.user, "p": AdminPassword})
			yaml += "---\napiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230000\", name: " + a.user + "}\n" +
				"spec: {role: " + a.role + ", subjects: [{kind: User, name: " + a.user + "}]}\n"
		}
		if r := s.Apply(t, root, yaml); len(r.Errors) > 0 {
			t.Fatalf("appoint the three administrators: %s", r.Body)
		}
	})
}

// MustDo runs a request that must succeed and returns its data.
func (s *Server) MustDo(t testing.TB, token, query string, vars map[string]any) map[string]any {
	t.Helper()
	r := s.Do(t, token, query, vars)
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("request failed (%d): %s\nquery: %s", r.Status, r.Body, query)
	}
	return r.Data
}

// Apply applies YAML as token and returns the response.
func (s *Server) Apply(t testing.TB, token, yaml string) Response {
	t.Helper()
	return s.Do(t, token, `mutation($y:String!){applyResources(yaml:$y){op resource{kind tenant name version}}}`, map[string]any{"y": yaml})
}

// Replicas starts two kernels on one fresh PostgreSQL database with NATS JetStream
// between them, appoints the administrators through the first and returns both with
// the security administrator's token on each. It skips the test unless
// GDBOS_TEST_POSTGRES and GDBOS_TEST_NATS are set.
func Replicas(t testing.TB, opts Options) (a, b *Server, tokenA, tokenB string) {
	t.Helper()
	dsn, natsURL := os.Getenv(storetest.EnvPostgres), os.Getenv(EnvNATS)
	if dsn == "" || natsURL == "" {
		t.Skip("set " + storetest.EnvPostgres + " and " + EnvNATS + "=nats://127.0.0.1:4222 to run two replicas")
	}
	id := make([]byte, 4)
	_, _ = rand.Read(id)
	opts.DatabaseURL, opts.NATSURL, opts.NATSSubject = storetest.NewPostgresDB(t, dsn), natsURL, "gdbostest"+hex.EncodeToString(id)
	a, b = Start(t, opts), Start(t, opts)
	tokenA = a.Admin(t) // appoints the administrators in the shared database
	return a, b, tokenA, b.Login(t, SecurityAdmin, AdminPassword)
}

// EnvNATS names the NATS server tests with replicas use.
const EnvNATS = "GDBOS_TEST_NATS"
