package audit_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/storetest"
)

func newLog(t testing.TB, s *store.Store) *audit.Log {
	t.Helper()
	l := audit.New(s)
	if err := l.Install(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := l.Install(context.Background()); err != nil {
		t.Fatalf("second install: %v", err)
	}
	return l
}

func fill(t testing.TB, l *audit.Log, n int) {
	t.Helper()
	for i := range n {
		e := audit.Entry{Actor: "alice", Action: "resource.apply", Tenant: "230100",
			Target: fmt.Sprintf("Role/r%d", i), Detail: map[string]any{"n": i, "z": "last", "a": []any{1, "x"}}}
		if err := l.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
}

// allowTampering drops the append-only triggers, as an attacker with DBA rights would.
func allowTampering(t *testing.T, s *store.Store) {
	t.Helper()
	stmts := []string{"DROP TRIGGER audit_entries_no_update", "DROP TRIGGER audit_entries_no_delete"}
	if s.IsPostgres() {
		stmts = []string{"DROP TRIGGER audit_entries_append_only ON audit_entries"}
	}
	for _, q := range stmts {
		if _, err := s.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func mustVerify(t *testing.T, l *audit.Log) audit.Report {
	t.Helper()
	r, err := l.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestChainVerifies(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		l := newLog(t, s)
		fill(t, l, 100)
		r := mustVerify(t, l)
		if !r.OK || r.Checked != 100 {
			t.Fatalf("report = %+v", r)
		}
		id, hash, err := l.Head(context.Background())
		if err != nil || id != 100 || len(hash) != 64 {
			t.Fatalf("head = %d %q %v", id, hash, err)
		}
	})
}

func TestAppendOnlyTrigger(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		l := newLog(t, s)
		fill(t, l, 3)
		for _, q := range []string{"UPDATE audit_entries SET actor = 'mallory' WHERE id = 2", "DELETE FROM audit_entries WHERE id = 2"} {
			_, err := s.DB.Exec(q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want append-only refusal", q, err)
			}
		}
	})
}

func TestTamperingIsNamed(t *testing.T) {
	cases := []struct {
		name   string
		sql    []string
		wantID int64
		kind   string
	}{
		{"changed", []string{"UPDATE audit_entries SET actor = 'mallory' WHERE id = 42"}, 42, audit.ProblemChanged},
		{"changed detail", []string{`UPDATE audit_entries SET detail = '{"n":1}' WHERE id = 7`}, 7, audit.ProblemChanged},
		{"removed", []string{"DELETE FROM audit_entries WHERE id = 42"}, 42, audit.ProblemRemoved},
		{"removed first", []string{"DELETE FROM audit_entries WHERE id = 1"}, 1, audit.ProblemRemoved},
		{"reordered", []string{
			"UPDATE audit_entries SET id = -1 WHERE id = 42",
			"UPDATE audit_entries SET id = 42 WHERE id = 43",
			"UPDATE audit_entries SET id = 43 WHERE id = -1",
		}, 42, audit.ProblemReordered},
		{"removed and renumbered", []string{
			"DELETE FROM audit_entries WHERE id IN (50, 51)",
			"UPDATE audit_entries SET id = -id WHERE id > 51",
			"UPDATE audit_entries SET id = -id - 2 WHERE id < 0",
		}, 50, audit.ProblemRemoved},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Dialects(t, func(t *testing.T, s *store.Store) {
				l := newLog(t, s)
				fill(t, l, 100)
				allowTampering(t, s)
				for _, q := range c.sql {
					if _, err := s.DB.Exec(q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				r := mustVerify(t, l)
				if r.OK || len(r.Problems) == 0 {
					t.Fatalf("tampering not detected: %+v", r)
				}
				p := r.Problems[0]
				if p.ID != c.wantID || p.Kind != c.kind {
					t.Fatalf("first problem = %+v, want %s at %d (all: %+v)", p, c.kind, c.wantID, r.Problems)
				}
				if len(r.Problems) > 2 {
					t.Fatalf("too many problems for one tampering: %+v", r.Problems)
				}
			})
		})
	}
}

func TestAppendRollsBackWithItsTransaction(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		l := newLog(t, s)
		boom := errors.New("boom")
		err := s.Tx(context.Background(), func(tx *ent.Tx) error {
			if err := l.Append(context.Background(), tx, audit.Entry{Actor: "a", Action: "x"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if id, hash, err := l.Head(context.Background()); err != nil || id != 0 || hash != audit.GenesisHash {
			t.Fatalf("head after rollback = %d %s %v", id, hash, err)
		}
	})
}

func TestConcurrentAppenders(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		l := newLog(t, s)
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for g := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 20 {
					errs <- l.Record(context.Background(), audit.Entry{Actor: fmt.Sprint("g", g), Action: "x", Target: fmt.Sprint(i)})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		r := mustVerify(t, l)
		if !r.OK || r.Checked != 200 {
			t.Fatalf("report = %+v", r)
		}
	})
}

func TestListFiltersAndPages(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		l := newLog(t, s)
		ctx := context.Background()
		start := time.Now().Add(-time.Minute)
		for i := range 7 {
			out := audit.OutcomeOK
			if i%2 == 1 {
				out = audit.OutcomeFailed
			}
			if err := l.Record(ctx, audit.Entry{Actor: "bob", Action: "login", Outcome: out, Detail: map[string]any{"i": i}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Record(ctx, audit.Entry{Actor: "carol", Action: "login", Outcome: "maybe"}); err == nil {
			t.Fatal("unknown outcome accepted")
		}
		page, next, total, err := l.List(ctx, audit.Filter{Actor: "bob", Outcome: audit.OutcomeOK, Since: start}, 2, 0)
		if err != nil || total != 4 || !next || len(page) != 2 || page[0].ID != 7 || page[1].ID != 5 {
			t.Fatalf("page 1 = %+v next=%v total=%d err=%v", page, next, total, err)
		}
		if page[0].Detail["i"] != float64(6) {
			t.Fatalf("detail = %v", page[0].Detail)
		}
		page, next, _, err = l.List(ctx, audit.Filter{Actor: "bob", Outcome: audit.OutcomeOK}, 2, page[1].ID)
		if err != nil || next || len(page) != 2 || page[1].ID != 1 {
			t.Fatalf("page 2 = %+v next=%v err=%v", page, next, err)
		}
	})
}

// BenchmarkAppend measures Record (one transaction per entry) on SQLite and, when
// GDBOS_TEST_POSTGRES is set, on PostgreSQL.
func BenchmarkAppend(b *testing.B) {
	dbs := map[string]func(testing.TB) *store.Store{"sqlite": storetest.SQLite}
	if os.Getenv(storetest.EnvPostgres) != "" {
		dbs["postgres"] = storetest.Postgres
	}
	for name, open := range dbs {
		b.Run(name, func(b *testing.B) {
			l := audit.New(open(b))
			e := audit.Entry{Actor: "alice", Action: "resource.apply", Tenant: "230100", Target: "Role/x", Detail: map[string]any{"v": 1}}
			for b.Loop() {
				if err := l.Record(context.Background(), e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
