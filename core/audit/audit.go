// Package audit keeps the append-only, hash-chained log of every change and every
// sensitive read. Each entry's hash covers its predecessor's hash, so a changed,
// removed or reordered entry breaks the chain and Verify names it.
package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/gdbos/gdbos/core/store"
)

// Outcomes of an audited action.
const (
	OutcomeOK     = "ok"
	OutcomeDenied = "denied"
	OutcomeFailed = "failed"
)

// GenesisHash is the PrevHash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// advisoryLockKey serializes appenders on PostgreSQL; any constant unique to the
// audit log works ("gdbosAUD" as an int64).
const advisoryLockKey int64 = 0x6764626f73415544

// Entry is one audited action.
type Entry struct {
	// ID is the entry's position in the chain, starting at 1.
	ID int64
	// Time is when the action happened (UTC, microsecond precision once stored).
	Time time.Time
	// Actor is the username, token or system part that acted.
	Actor string
	// Action names what was done, e.g. "login" or "resource.apply".
	Action string
	// Tenant is the tenant the action concerned, if any.
	Tenant string
	// Target names the object acted on.
	Target string
	// Outcome is OutcomeOK, OutcomeDenied or OutcomeFailed.
	Outcome string
	// Detail holds extra facts; it is hashed as canonical JSON.
	Detail map[string]any
	// PrevHash is the hash of the entry before this one (GenesisHash for the first).
	PrevHash string
	// Hash is hex sha256 over PrevHash and the entry's canonical encoding.
	Hash string
}

// Log is the audit log of one store.
type Log struct {
	st *store.Store
}

// New returns the audit log kept in st. Call Install once at start-up to make the
// table append-only at the database level.
func New(st *store.Store) *Log { return &Log{st: st} }

// pgInstall makes audit_entries refuse UPDATE, DELETE and TRUNCATE on PostgreSQL.
// Tests that tamper with the log drop the trigger first
// (DROP TRIGGER audit_entries_append_only ON audit_entries).
var pgInstall = []string{
	`CREATE OR REPLACE FUNCTION gdbos_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$`,
	`CREATE OR REPLACE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION gdbos_audit_append_only()`,
	`CREATE OR REPLACE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
FOR EACH STATEMENT EXECUTE FUNCTION gdbos_audit_append_only()`,
}

// sqliteInstall does the same on SQLite. Tests that tamper with the log drop
// audit_entries_no_update and audit_entries_no_delete first.
var sqliteInstall = []string{
	`CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`,
	`CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`,
}

// Install creates the triggers that make the audit table append-only. It is
// idempotent and safe to run from several replicas at once.
func (l *Log) Install(ctx context.Context) error {
	tx, err := l.st.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("audit: install: %w", err)
	}
	defer tx.Rollback()
	stmts := sqliteInstall
	if l.st.IsPostgres() {
		stmts = pgInstall
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", advisoryLockKey); err != nil {
			return fmt.Errorf("audit: install lock: %w", err)
		}
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("audit: install trigger: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("audit: install: %w", err)
	}
	return nil
}
