package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/auditentry"
)

// timeLayout keeps microseconds, the precision both databases store.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Append adds e to the chain inside the caller's transaction, so the entry commits
// together with the change it records. It fills in e's ID, PrevHash and Hash.
func (l *Log) Append(ctx context.Context, tx *ent.Tx, e Entry) error {
	if err := check(&e); err != nil {
		return err
	}
	if l.st.IsPostgres() {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", advisoryLockKey); err != nil {
			return fmt.Errorf("audit: lock: %w", err)
		}
	}
	last, err := tx.AuditEntry.Query().Order(ent.Desc(auditentry.FieldID)).
		Select(auditentry.FieldID, auditentry.FieldHash).First(ctx)
	switch {
	case ent.IsNotFound(err):
		e.ID, e.PrevHash = 1, GenesisHash
	case err != nil:
		return fmt.Errorf("audit: read head: %w", err)
	default:
		e.ID, e.PrevHash = last.ID+1, last.Hash
	}
	detail, err := encodeDetail(e.Detail)
	if err != nil {
		return err
	}
	e.Hash = hashOf(e.ID, e.Time, e.Actor, e.Action, e.Tenant, e.Target, e.Outcome, detail, e.PrevHash)
	err = tx.AuditEntry.Create().SetID(e.ID).SetTime(e.Time).SetActor(e.Actor).SetAction(e.Action).
		SetTenant(e.Tenant).SetTarget(e.Target).SetOutcome(e.Outcome).SetDetail(detail).
		SetPrevHash(e.PrevHash).SetHash(e.Hash).Exec(ctx)
	if err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// Record appends e in its own transaction; use it for denied or failed attempts,
// which have no transaction of their own to join.
func (l *Log) Record(ctx context.Context, e Entry) error {
	return l.st.Tx(ctx, func(tx *ent.Tx) error { return l.Append(ctx, tx, e) })
}

func check(e *Entry) error {
	if e.Action == "" {
		return fmt.Errorf("audit: entry has no action")
	}
	switch e.Outcome {
	case OutcomeOK, OutcomeDenied, OutcomeFailed:
	case "":
		e.Outcome = OutcomeOK
	default:
		return fmt.Errorf("audit: unknown outcome %q", e.Outcome)
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	return nil
}

// encodeDetail returns detail as canonical JSON (encoding/json sorts map keys at
// every level), or "" when there is none.
func encodeDetail(d map[string]any) (string, error) {
	if len(d) == 0 {
		return "", nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("audit: encode detail: %w", err)
	}
	return string(b), nil
}

// hashOf is hex sha256(prev ‖ "\n" ‖ JSON array of the entry's fields).
func hashOf(id int64, t time.Time, actor, action, tenant, target, outcome, detail, prev string) string {
	fields := []any{id, t.UTC().Truncate(time.Microsecond).Format(timeLayout), actor, action, tenant, target, outcome, detail}
	b, _ := json.Marshal(fields) // only strings and an int64: cannot fail
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func rowHash(r *ent.AuditEntry, id int64) string {
	return hashOf(id, r.Time, r.Actor, r.Action, r.Tenant, r.Target, r.Outcome, r.Detail, r.PrevHash)
}
