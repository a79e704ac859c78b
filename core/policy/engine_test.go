package policy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

var userTable = Table{Dialect: "sqlite", Columns: map[string]string{"tenant": "u.tenant", "path": "u.path", "username": "u.username", "disabled": "u.disabled", "tags": "u.tags"}}

func TestLoadKeepsOldSetOnError(t *testing.T) {
	e := NewEngine()
	g0 := e.Generation()
	good := rows("package a\nallow if input.row.tenant == \"230100\"")
	if err := e.Load([]Policy{good}); err != nil {
		t.Fatal(err)
	}
	g1 := e.Generation()
	if g1 == g0 {
		t.Fatal("generation did not change on Load")
	}
	bad := rows("package a\nallow if {")
	bad.Name = "broken"
	err := e.Load([]Policy{good, bad})
	if err == nil || !strings.Contains(err.Error(), "policy: load 230000/broken: ") {
		t.Fatalf("want a load error naming the broken policy, got %v", err)
	}
	if e.Generation() != g1 || len(e.Policies()) != 1 || e.Policies()[0] != good {
		t.Fatalf("a failed Load changed the engine: generation %d, policies %v", e.Generation(), e.Policies())
	}
}

func TestRowFilter(t *testing.T) {
	parent := Policy{Tenant: "230000", Name: "province", Purpose: PurposeRows, Target: "User", Module: `package province
allow if input.subject.superadmin
allow if {
	some t in input.subject.tenants
	contains(input.row.path, concat("", ["/", t, "/"]))
}`}
	child := Policy{Tenant: "230100", Name: "city", Purpose: PurposeRows, Target: "User", Module: `package city
allow if not input.row.disabled`}
	never := Policy{Tenant: "230200", Name: "closed", Purpose: PurposeRows, Target: "User", Module: `package closed
default allow := false`}
	never.Module += "\nallow if false"
	bob := Subject{User: "bob", Tenants: []string{"230100", "230100"}}
	tests := []struct {
		name    string
		lineage []string
		subj    Subject
		table   Table
		want    Filter
		wantErr string
	}{
		{name: "no policy applies", lineage: []string{"110000"}, subj: bob, want: Filter{SQL: "1 = 1", Always: true}},
		{name: "superadmin by policy", lineage: []string{"230000"}, subj: Subject{Superadmin: true}, want: Filter{SQL: "1 = 1", Always: true}},
		{name: "no tenant", lineage: []string{"230000"}, subj: Subject{User: "x"}, want: Filter{SQL: "1 = 0", Never: true}},
		{name: "repeated values bound once", lineage: []string{"230000"}, subj: bob,
			want: Filter{SQL: "u.path GLOB ?", Args: []any{"*/230100/*"}}},
		{name: "descendant adds a restriction", lineage: []string{"230000", "230100", "230102"}, subj: bob,
			want: Filter{SQL: "u.path GLOB ? AND u.disabled IS NOT TRUE", Args: []any{"*/230100/*"}}},
		{name: "postgres numbering after an offset", lineage: []string{"230000", "230100"}, subj: Subject{Tenants: []string{"230100", "2301_%"}},
			table: Table{Dialect: "postgres", Columns: userTable.Columns, ArgOffset: 2},
			want:  Filter{SQL: `(u.path LIKE $3 ESCAPE '\' OR u.path LIKE $4 ESCAPE '\') AND u.disabled IS NOT TRUE`, Args: []any{"%/230100/%", `%/2301\_\%/%`}}},
		{name: "a boolean column without NULLs is compared, so an index can answer", lineage: []string{"230000", "230100"}, subj: Subject{Tenants: []string{"230100"}},
			table: Table{Dialect: "postgres", Columns: userTable.Columns, NotNull: map[string]bool{"disabled": true}},
			want:  Filter{SQL: `u.path LIKE $1 ESCAPE '\' AND u.disabled = FALSE`, Args: []any{"%/230100/%"}}},
		{name: "and on SQLite with the integer it stores", lineage: []string{"230000", "230100"}, subj: Subject{Tenants: []string{"230100"}},
			table: Table{Dialect: "sqlite", Columns: userTable.Columns, NotNull: map[string]bool{"disabled": true}},
			want:  Filter{SQL: `u.path GLOB ? AND u.disabled = 0`, Args: []any{"*/230100/*"}}},
		{name: "a policy that never allows", lineage: []string{"230000", "230200"}, subj: bob, want: Filter{SQL: "1 = 0", Never: true}},
		{name: "unknown dialect", lineage: []string{"230000"}, subj: bob, table: Table{Dialect: "oracle"}, wantErr: `unknown SQL dialect "oracle"`},
	}
	e := NewEngine()
	if err := e.Load([]Policy{parent, child, never}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := tt.table
			if tab.Dialect == "" {
				tab = userTable
			}
			got, err := e.RowFilter(context.Background(), "User", tt.lineage, tt.subj, tab)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("want error %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.SQL != tt.want.SQL || !slices.Equal(got.Args, tt.want.Args) || got.Always != tt.want.Always || got.Never != tt.want.Never {
				t.Fatalf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestRowFilterRefusesWhatSQLCannotSay(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"function of a field", `lower(input.row.username) == "bob"`, "builtin lower is not supported"},
		{"nested field", `input.row.meta.owner == "bob"`, "only top-level row fields"},
		{"field without a column", `input.row.secret == "x"`, `row field "secret" has no column`},
		{"collection field", `"x" in input.row.tags`, "only a row field may be looked up"},
		{"iteration over a field", `input.row.tags[_] == "x"`, "only top-level row fields"},
		{"null", `input.row.username == null`, "null cannot be compared"},
		{"composite value", `input.row.username == ["a"]`, "only strings, numbers and booleans"},
		{"ordering two fields", `input.row.username < input.row.tenant`, "two row fields may only be compared with == or !="},
		{"default true", "input.row.level > 1\ndefault allow := true", "needs support rules"},
		{"else", "input.row.level > 1\nelse := false", "rule data.a.allow could not be inlined"},
		{"negated rule with two conditions", "not closed\nclosed if { input.row.level > 1; input.row.username == \"x\" }", "needs support rules"},
		{"arithmetic on a field", "input.row.level + 1 > 3", "not a value computed from one"},
		{"aggregate of a field", "count(input.row.tags) > 1", "not a value computed from one"},
		{"regular expression", `regex.match("^a", input.row.username)`, "builtin regex.match is not supported"},
		{"a field alone is a boolean test", `input.row.username`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine()
			if err := e.Load([]Policy{rows("package a\nallow if " + tt.body)}); err != nil {
				t.Fatal(err)
			}
			_, err := e.RowFilter(context.Background(), "User", []string{"230000"}, Subject{User: "bob"}, userTable)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrUntranslatable) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want ErrUntranslatable with %q, got %v", tt.want, err)
			}
		})
	}
}

func TestAllowRow(t *testing.T) {
	e := NewEngine()
	err := e.Load([]Policy{
		rows("package a\nallow if input.row.tenant in input.subject.tenants"),
		{Tenant: "230100", Name: "b", Purpose: PurposeRows, Target: "User", Module: "package b\nallow if not input.row.disabled"},
	})
	if err != nil {
		t.Fatal(err)
	}
	subj := Subject{Tenants: []string{"230100"}}
	tests := []struct {
		lineage []string
		row     map[string]any
		want    bool
	}{
		{[]string{"230000"}, map[string]any{"tenant": "230100", "disabled": true}, true},
		{[]string{"230000", "230100"}, map[string]any{"tenant": "230100", "disabled": true}, false},
		{[]string{"230000", "230100"}, map[string]any{"tenant": "230100", "disabled": nil}, true},
		{[]string{"230000"}, map[string]any{"tenant": "230200"}, false},
		{[]string{"110000"}, map[string]any{"tenant": "230200"}, true},
	}
	for _, tt := range tests {
		got, err := e.AllowRow(context.Background(), "User", tt.lineage, subj, tt.row)
		if err != nil || got != tt.want {
			t.Errorf("AllowRow(%v, %v) = %v, %v; want %v", tt.lineage, tt.row, got, err, tt.want)
		}
	}
}

func TestGuard(t *testing.T) {
	e := NewEngine()
	err := e.Load([]Policy{
		guard(`package all
deny contains "no deletes on Fridays" if input.action == "delete"`),
		{Tenant: "230100", Name: "roles", Purpose: PurposeGuard, Target: "Role", Module: `package roles
deny contains msg if {
	some p in input.object.spec.permissions
	"*" in p.actions
	msg := sprintf("role %s grants every action", [input.object.metadata.name])
}
deny contains "only security administrators change roles" if not input.subject.attributes.securityAdmin`},
	})
	if err != nil {
		t.Fatal(err)
	}
	role := map[string]any{"kind": "Role", "metadata": map[string]any{"name": "editor"},
		"spec": map[string]any{"permissions": []any{map[string]any{"actions": []any{"*"}}}}}
	tests := []struct {
		name    string
		lineage []string
		in      GuardInput
		want    []string
	}{
		{"every guard along the lineage", []string{"230000", "230100"}, GuardInput{Action: "delete", Kind: "Role", Object: role},
			[]string{"no deletes on Fridays", "only security administrators change roles", "role editor grants every action"}},
		{"only the guards of the kind", []string{"230000", "230100"}, GuardInput{Action: "write", Kind: "Module", Object: role}, nil},
		{"not a descendant", []string{"230000", "230200"}, GuardInput{Action: "write", Kind: "Role", Object: role}, nil},
		{"allowed", []string{"230000", "230100"}, GuardInput{Action: "write", Kind: "Role", Subject: Subject{Attributes: map[string]any{"securityAdmin": true}},
			Object: map[string]any{"metadata": map[string]any{"name": "r"}, "spec": map[string]any{}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Guard(context.Background(), tt.lineage, tt.in)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("Guard = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestRowFilterCache(t *testing.T) {
	e := NewEngine()
	ctx := context.Background()
	if err := e.Load([]Policy{rows(`package a
allow if input.row.tenant == "230100"`)}); err != nil {
		t.Fatal(err)
	}
	f1, err := e.RowFilter(ctx, "User", []string{"230000"}, Subject{}, userTable)
	if err != nil {
		t.Fatal(err)
	}
	f1.Args[0] = "changed by the caller"
	f2, err := e.RowFilter(ctx, "User", []string{"230000"}, Subject{}, userTable)
	if err != nil || f2.Args[0] != "230100" {
		t.Fatalf("a caller's change reached the cache: %v, %v", f2, err)
	}
	if err := e.Load([]Policy{rows(`package a
allow if input.row.tenant == "230200"`)}); err != nil {
		t.Fatal(err)
	}
	f3, err := e.RowFilter(ctx, "User", []string{"230000"}, Subject{}, userTable)
	if err != nil || f3.Args[0] != "230200" {
		t.Fatalf("a filter outlived its policies: %v, %v", f3, err)
	}
}

func TestLoadWhileEvaluating(t *testing.T) {
	var e Engine
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			p := rows(fmt.Sprintf("package a\nallow if input.row.level >= %d", i))
			if err := e.Load([]Policy{p}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			if e.Generation() != 20 {
				t.Fatalf("generation %d after 20 loads", e.Generation())
			}
			return
		default:
		}
		if _, err := e.RowFilter(ctx, "User", []string{"230000"}, Subject{}, Table{Dialect: "sqlite", Columns: map[string]string{"level": "level"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.AllowRow(ctx, "User", []string{"230000"}, Subject{}, map[string]any{"level": 3}); err != nil {
			t.Fatal(err)
		}
	}
}
