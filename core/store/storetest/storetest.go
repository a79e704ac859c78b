// Package storetest opens fresh kernel databases for tests: SQLite always, and
// PostgreSQL when GDBOS_TEST_POSTGRES holds a DSN.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/gdbos/gdbos/core/store"
)

// EnvPostgres names the variable that enables the PostgreSQL half of store tests.
const EnvPostgres = "GDBOS_TEST_POSTGRES"

// Dialects runs fn once per available database, each on a fresh, empty store that is
// closed (and on PostgreSQL dropped) when the test ends.
func Dialects(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(EnvPostgres) == "" {
			t.Skip("set " + EnvPostgres + "=postgres://… to run the PostgreSQL half of this test")
		}
		fn(t, Postgres(t))
	})
}

// SQLite opens a fresh SQLite store in a temporary folder.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Postgres creates a fresh database on the server named by GDBOS_TEST_POSTGRES, opens
// a store on it and drops it when the test ends.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Skip("set " + EnvPostgres + " to run PostgreSQL tests")
	}
	dbURL := NewPostgresDB(t, dsn)
	s, err := store.Open(context.Background(), store.Config{URL: dbURL})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// NewPostgresDB creates an empty database next to the one dsn names and returns its
// URL; the database is dropped when the test ends.
func NewPostgresDB(t testing.TB, dsn string) string {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "gdbos_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("postgres: create database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("postgres dsn: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
