package policy

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

// propertyPolicies cover every construct RowFilter translates, at several tenants
// so that lineages combine them.
var propertyPolicies = []Policy{
	{Tenant: "root", Name: "subtree", Purpose: PurposeRows, Target: "Row", Module: `package root
allow if input.subject.superadmin
allow if {
	some t in input.subject.tenants
	contains(input.row.path, concat("", ["/", t, "/"]))
}`},
	{Tenant: "c1", Name: "enabled", Purpose: PurposeRows, Target: "Row", Module: `package child
default allow := false
allow if not input.row.disabled
allow if input.row.username == input.subject.user
`},
	{Tenant: "c1", Name: "attributes", Purpose: PurposeRows, Target: "Row", Module: `package attr
allow if input.row.level >= input.subject.attributes.minLevel
allow if {
	startswith(input.row.username, input.subject.attributes.prefix)
	input.row.level != 3
}
allow if endswith(input.row.username, input.subject.attributes.suffix)
allow if input.row.username < input.subject.attributes.before
allow if input.row.tenant == input.row.username
allow if input.row.disabled
`},
	{Tenant: "c2", Name: "negations", Purpose: PurposeRows, Target: "Row", Module: `package neg
allow if {
	not input.row.tenant in input.subject.tenants
	input.row.level < 4
}
allow if {
	input.row.tenant in input.subject.tenants
	not startswith(input.row.username, "A")
	not input.row.level in {1, 2.5}
}
allow if {
	input.row.username != input.subject.user
	not contains(input.row.path, "0/2")
	input.row.level > 0.5
}
allow if {
	not input.row.level >= 4
	not input.row.tenant == input.row.username
	not input.row.username in input.subject.tenants
	input.row.username != input.row.tenant
}
`},
	{Tenant: "c2", Name: "functions", Purpose: PurposeRows, Target: "Row", Module: `package fns
named(x) if startswith(x, "a")
named(x) if endswith(x, "_")
allow if named(input.row.username)
allow if every t in input.subject.tenants { t != input.row.tenant }
allow if { r := input.row; r.level == 5 }
`},
	{Tenant: "other", Name: "nothing", Purpose: PurposeRows, Target: "Row", Module: `package nothing
allow if false
`},
}

var (
	propLineages  = [][]string{{"root"}, {"root", "c1"}, {"root", "c2"}, {"root", "c1", "c1x"}, {"none"}, {"other"}}
	propTenants   = []string{"230100", "230200", "230300", "230101", "a_%"}
	propUsernames = []string{"alice", "Alice", "a_%x", "A*b", "x[1]", "bob_", "230100", `back\slash`, "z"}
	propPrefixes  = []string{"a", "A", "a_", "%", "x[", "*", "", `back\`}
	propColumns   = map[string]string{"tenant": "tenant", "path": "path", "username": "username", "disabled": "disabled", "level": "level"}
)

// TestRowFilterMatchesAllowRow is the property that makes row filters trustworthy:
// for random subjects and rows, SELECT … WHERE <RowFilter> returns a row exactly
// when AllowRow allows it, on SQLite and PostgreSQL.
func TestRowFilterMatchesAllowRow(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("GDBOS_POLICY_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (rerun with GDBOS_POLICY_SEED=%[1]d)", seed)
	e := NewEngine()
	if err := e.Load(propertyPolicies); err != nil {
		t.Fatal(err)
	}
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		rng := rand.New(rand.NewPCG(seed, 1))
		rows := seedRows(t, s.DB, s.Dialect, rng, 80)
		for i := range 150 {
			subj := randomSubject(rng)
			lineage := propLineages[rng.IntN(len(propLineages))]
			checkSubject(t, e, s, rows, lineage, subj, i)
		}
	})
}

func checkSubject(t *testing.T, e *Engine, s *store.Store, rows []map[string]any, lineage []string, subj Subject, i int) {
	t.Helper()
	ctx := context.Background()
	f, err := e.RowFilter(ctx, "Row", lineage, subj, Table{Dialect: s.Dialect, Columns: propColumns, ArgOffset: 1})
	if err != nil {
		t.Fatalf("case %d: %v", i, err)
	}
	got := selectIDs(t, s, f)
	for _, row := range rows {
		want, err := e.AllowRow(ctx, "Row", lineage, subj, row)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if want != slices.Contains(got, row["id"].(int64)) {
			t.Fatalf("case %d: lineage %v subject %+v row %v: AllowRow %v but the filter disagrees\nSQL: %s\nargs: %v",
				i, lineage, subj, row, want, f.SQL, f.Args)
		}
	}
}

func seedRows(t *testing.T, db *sql.DB, dialect string, rng *rand.Rand, n int) []map[string]any {
	t.Helper()
	if _, err := db.Exec(`CREATE TABLE prop_rows (id BIGINT PRIMARY KEY, tenant TEXT, path TEXT, username TEXT, disabled BOOLEAN, level INTEGER)`); err != nil {
		t.Fatal(err)
	}
	rows := make([]map[string]any, n)
	for i := range rows {
		tenant := maybe(rng, pick(rng, propTenants))
		var path any
		if tenant != nil {
			path = maybe(rng, "/230000/"+tenant.(string)+"/")
		}
		rows[i] = map[string]any{
			"id": int64(i + 1), "tenant": tenant, "path": path,
			"username": maybe(rng, pick(rng, propUsernames)),
			"disabled": maybe(rng, rng.IntN(2) == 0),
			"level":    maybe(rng, int64(rng.IntN(6))),
		}
		r := rows[i]
		if _, err := db.Exec(insertRow(dialect), r["id"], r["tenant"], r["path"], r["username"], r["disabled"], r["level"]); err != nil {
			t.Fatal(err)
		}
	}
	return rows
}

func insertRow(dialect string) string {
	if dialect == "postgres" {
		return `INSERT INTO prop_rows (id, tenant, path, username, disabled, level) VALUES ($1, $2, $3, $4, $5, $6)`
	}
	return `INSERT INTO prop_rows (id, tenant, path, username, disabled, level) VALUES (?, ?, ?, ?, ?, ?)`
}

// maybe returns v, or nil (a NULL column) one time in eight.
func maybe[T any](rng *rand.Rand, v T) any {
	if rng.IntN(8) == 0 {
		return nil
	}
	return v
}

func pick(rng *rand.Rand, from []string) string { return from[rng.IntN(len(from))] }

func randomSubject(rng *rand.Rand) Subject {
	s := Subject{User: pick(rng, propUsernames), Superadmin: rng.IntN(20) == 0, Attributes: map[string]any{}}
	for range rng.IntN(4) {
		s.Tenants = append(s.Tenants, pick(rng, propTenants))
	}
	if rng.IntN(2) == 0 {
		s.Attributes["minLevel"] = []any{int64(rng.IntN(6)), 2.5, 4.5}[rng.IntN(3)]
	}
	for _, k := range []string{"prefix", "suffix", "before"} {
		if rng.IntN(2) == 0 {
			s.Attributes[k] = pick(rng, propPrefixes)
		}
	}
	return s
}

func selectIDs(t *testing.T, s *store.Store, f Filter) []int64 {
	t.Helper()
	// The first argument stands for a condition of the caller's own, so that
	// ArgOffset is exercised.
	q := "SELECT id FROM prop_rows WHERE id > $1 AND " + f.SQL
	if s.Dialect != "postgres" {
		q = "SELECT id FROM prop_rows WHERE id > ? AND " + f.SQL
	}
	rs, err := s.DB.Query(q, append([]any{0}, f.Args...)...)
	if err != nil {
		t.Fatalf("%s %v: %v", q, f.Args, err)
	}
	defer rs.Close()
	var ids []int64
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}
