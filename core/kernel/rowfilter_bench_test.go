package kernel_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/store/storetest"
	"github.com/gdbos/gdbos/core/tenant"
)

// BenchmarkUsersRowFilter1M is issue 3's row-filter cost: a users page with its
// totalCount over 1,000,000 rows, read by the superadmin (no filter) and by a reader
// bound at the root (the same rows, through the compiled subtree filter, and then
// also through a rows policy compiled to SQL). Set GDBOS_BENCH_ROWS to change the
// size and GDBOS_TEST_POSTGRES to add PostgreSQL.
func BenchmarkUsersRowFilter1M(b *testing.B) {
	rows := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("GDBOS_BENCH_ROWS")); err == nil {
		rows = v
	}
	dbs := []struct{ name, url string }{{"sqlite", ""}}
	if dsn := os.Getenv(storetest.EnvPostgres); dsn != "" {
		dbs = append(dbs, struct{ name, url string }{"postgres", storetest.NewPostgresDB(b, dsn)})
	}
	for _, db := range dbs {
		s := kerneltest.Start(b, kerneltest.Options{DatabaseURL: db.url})
		admin := s.Admin(b)
		fillUsers(b, s, rows)
		s.MustDo(b, admin, `mutation{createUser(input:{username:"reader",password:"password-123",homeTenant:"230000"}){id}}`, nil)
		if r := s.Apply(b, admin, "apiVersion: gdbos.io/v1\nkind: Role\nmetadata: {tenant: \"230000\", name: people}\nspec: {permissions: [{resources: [users], actions: [read]}]}\n---\n"+
			"apiVersion: gdbos.io/v1\nkind: RoleBinding\nmetadata: {tenant: \"230000\", name: reader}\nspec: {role: people, subjects: [{kind: User, name: reader}]}\n"); len(r.Errors) > 0 {
			b.Fatalf("rbac: %s", r.Body)
		}
		reader := s.Login(b, "reader", "password-123")
		run := func(name, token string) {
			for _, q := range []struct{ name, query string }{
				{"page", `{"query":"{users(first:50){nodes{username}}}"}`},
				{"page+count", `{"query":"{users(first:50){totalCount nodes{username}}}"}`},
			} {
				runOne(b, s, db.name+"/"+q.name+"/"+name, q.query, token)
			}
		}

		run("unfiltered", admin)
		run("subtree-filter", reader)
		policy := "apiVersion: gdbos.io/v1\nkind: Policy\nmetadata: {tenant: \"230000\", name: active}\nspec:\n  purpose: rows\n  target: User\n  module: |\n    package active\n\n    allow if not input.row.disabled\n"
		if r := s.Apply(b, admin, policy); len(r.Errors) > 0 {
			b.Fatalf("policy: %s", r.Body)
		}
		run("subtree-and-policy", reader)
		run("policy-only", admin)
	}
}

func runOne(b *testing.B, s *kerneltest.Server, name, query, token string) {
	b.Run(name, func(b *testing.B) {
		h := s.K.Handler()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(query))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if !strings.Contains(rec.Body.String(), `"username"`) {
				b.Fatalf("%s", rec.Body.String())
			}
		}
	})
}

// fillUsers inserts n users spread over the demo tenants in one transaction, without
// hashing passwords (none of them signs in).
func fillUsers(b *testing.B, s *kerneltest.Server, n int) {
	b.Helper()
	start := time.Now()
	ctx := context.Background()
	var paths [][2]string
	for _, t := range s.K.Tenants().List(tenant.ListOptions{}) {
		paths = append(paths, [2]string{t.Code, t.Path})
	}
	db := s.K.Store().DB
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	ph := "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
	if s.K.Store().IsPostgres() {
		ph = "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11"
	}
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO users (username, display_name, password_hash, home_tenant, home_path, phone, id_number, superadmin, disabled, created_at, updated_at) VALUES ("+ph+")")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	for i := range n {
		p := paths[i%len(paths)]
		if _, err := stmt.ExecContext(ctx, fmt.Sprintf("u%07d", i), "", "", p[0], p[1], "13812345678", "", false, i%10 == 0, now, now); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	b.Logf("inserted %d users in %v", n, time.Since(start).Round(time.Millisecond))
}
