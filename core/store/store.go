// Package store opens the kernel's database (embedded SQLite or PostgreSQL), runs
// migrations and hands out the ent client and the raw connection pool.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/migrate"
)

// Config says which database to open. An empty URL means embedded SQLite in DataDir.
type Config struct {
	// URL is a postgres:// DSN; empty selects SQLite.
	URL string
	// DataDir holds gdbos.db when URL is empty.
	DataDir string
}

// Store is an open kernel database.
type Store struct {
	// Client is the ent client over DB.
	Client *ent.Client
	// DB is the connection pool, for modules' own tables and run-time tables.
	DB *sql.DB
	// Dialect is dialect.SQLite or dialect.Postgres.
	Dialect string
}

// sqliteParams are constants: _pragma values run as raw SQL, so no user input may
// reach them. _txlock=immediate takes the write lock at BEGIN, so two writers queue on
// busy_timeout instead of failing when a read transaction upgrades.
const sqliteParams = "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_time_format=sqlite&_txlock=immediate"

// Open opens the database, runs the kernel's migrations and returns the store.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	drvName, dsn, dia, err := dsnFor(cfg)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(drvName, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dia, err)
	}
	if dia == dialect.SQLite {
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	} else {
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(16)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect %s: %w", dia, err)
	}
	s := &Store{DB: db, Dialect: dia}
	s.Client = ent.NewClient(ent.Driver(entsql.OpenDB(dia, db)))
	if err := s.Client.Schema.Create(ctx, migrate.WithDropIndex(false), migrate.WithDropColumn(false)); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	return s, nil
}

func dsnFor(cfg Config) (driver, dsn, dia string, err error) {
	if cfg.URL != "" {
		u, perr := url.Parse(cfg.URL)
		if perr != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return "", "", "", fmt.Errorf("store: database URL must be postgres://…: %q", redact(cfg.URL))
		}
		return "pgx", cfg.URL, dialect.Postgres, nil
	}
	dir := cfg.DataDir
	if dir == "" {
		dir = "gdbos-data"
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", "", "", fmt.Errorf("store: data folder: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dir, "gdbos.db"))
	if err != nil {
		return "", "", "", fmt.Errorf("store: data folder: %w", err)
	}
	return "sqlite", "file:" + path + "?" + sqliteParams, dialect.SQLite, nil
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// Close closes the client and the pool.
func (s *Store) Close() error { return s.Client.Close() }

// Tx runs fn in one transaction: fn's error, or a panic, rolls everything back.
func (s *Store) Tx(ctx context.Context, fn func(tx *ent.Tx) error) (err error) {
	tx, err := s.Client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback()
			panic(v)
		}
	}()
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return errors.Join(err, fmt.Errorf("store: rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Migrate creates or alters tables built at run time (modules' and data standards').
func (s *Store) Migrate(ctx context.Context, tables ...*schema.Table) error {
	m, err := schema.NewMigrate(entsql.OpenDB(s.Dialect, s.DB), schema.WithDropColumn(false), schema.WithDropIndex(false))
	if err != nil {
		return fmt.Errorf("store: migrator: %w", err)
	}
	if err := m.Create(ctx, tables...); err != nil {
		return fmt.Errorf("store: migrate tables: %w", err)
	}
	return nil
}

// IsPostgres reports whether the store runs on PostgreSQL.
func (s *Store) IsPostgres() bool { return s.Dialect == dialect.Postgres }

// IsUniqueViolation reports whether err is a unique-constraint failure on either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if ent.IsConstraintError(err) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
}
