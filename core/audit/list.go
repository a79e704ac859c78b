package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/auditentry"
	"github.com/gdbos/gdbos/core/store/ent/predicate"
)

// Page sizes for List.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Filter narrows List; empty fields match everything.
type Filter struct {
	Tenant, Actor, Action, Outcome string
	// Since and Until bound Time (inclusive, exclusive) when set.
	Since, Until time.Time
}

// List returns up to first entries matching f, newest first, older than afterID
// when afterID > 0. total counts every match regardless of paging.
func (l *Log) List(ctx context.Context, f Filter, first int, afterID int64) (entries []Entry, hasNext bool, total int, err error) {
	if first <= 0 {
		first = DefaultPageSize
	}
	first = min(first, MaxPageSize)
	ps := f.predicates()
	total, err = l.st.Client.AuditEntry.Query().Where(ps...).Count(ctx)
	if err != nil {
		return nil, false, 0, fmt.Errorf("audit: count: %w", err)
	}
	if afterID > 0 {
		ps = append(ps, auditentry.IDLT(afterID))
	}
	rows, err := l.st.Client.AuditEntry.Query().Where(ps...).
		Order(ent.Desc(auditentry.FieldID)).Limit(first + 1).All(ctx)
	if err != nil {
		return nil, false, 0, fmt.Errorf("audit: list: %w", err)
	}
	if len(rows) > first {
		rows, hasNext = rows[:first], true
	}
	entries = make([]Entry, 0, len(rows))
	for _, r := range rows {
		entries = append(entries, fromRow(r))
	}
	return entries, hasNext, total, nil
}

// Head returns the id and hash of the last entry (0 and GenesisHash when empty).
// Keeping a copy of the head elsewhere detects removal of the newest entries.
func (l *Log) Head(ctx context.Context) (id int64, hash string, err error) {
	r, err := l.st.Client.AuditEntry.Query().Order(ent.Desc(auditentry.FieldID)).
		Select(auditentry.FieldID, auditentry.FieldHash).First(ctx)
	if ent.IsNotFound(err) {
		return 0, GenesisHash, nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("audit: head: %w", err)
	}
	return r.ID, r.Hash, nil
}

func (f Filter) predicates() []predicate.AuditEntry {
	var ps []predicate.AuditEntry
	if f.Tenant != "" {
		ps = append(ps, auditentry.Tenant(f.Tenant))
	}
	if f.Actor != "" {
		ps = append(ps, auditentry.Actor(f.Actor))
	}
	if f.Action != "" {
		ps = append(ps, auditentry.Action(f.Action))
	}
	if f.Outcome != "" {
		ps = append(ps, auditentry.Outcome(f.Outcome))
	}
	if !f.Since.IsZero() {
		ps = append(ps, auditentry.TimeGTE(f.Since))
	}
	if !f.Until.IsZero() {
		ps = append(ps, auditentry.TimeLT(f.Until))
	}
	return ps
}

func fromRow(r *ent.AuditEntry) Entry {
	e := Entry{
		ID: r.ID, Time: r.Time.UTC(), Actor: r.Actor, Action: r.Action, Tenant: r.Tenant,
		Target: r.Target, Outcome: r.Outcome, PrevHash: r.PrevHash, Hash: r.Hash,
	}
	if r.Detail != "" {
		_ = json.Unmarshal([]byte(r.Detail), &e.Detail) // a tampered detail shows up in Verify
	}
	return e
}
