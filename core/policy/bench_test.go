package policy

import (
	"context"
	"strconv"
	"testing"
)

func benchEngine(b *testing.B) *Engine {
	b.Helper()
	e := NewEngine()
	if err := e.Load(propertyPolicies); err != nil {
		b.Fatal(err)
	}
	if err := e.Load(append(e.Policies(), guard(`package all
deny contains "no deletes" if input.action == "delete"`), Policy{Tenant: "c1", Name: "roles", Purpose: PurposeGuard, Target: "Role", Module: `package roles
deny contains msg if {
	some p in input.object.spec.permissions
	"*" in p.actions
	msg := sprintf("role %s grants every action", [input.object.metadata.name])
}`})); err != nil {
		b.Fatal(err)
	}
	return e
}

var benchSubject = Subject{User: "li", Tenants: []string{"230100", "230200"}, Attributes: map[string]any{"minLevel": 2, "prefix": "a", "suffix": "z"}}

// BenchmarkRowFilter compiles the three rows policies along root → c1 to SQL, for a
// different subject each time so that the cache never answers.
func BenchmarkRowFilter(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	tab := Table{Dialect: "postgres", Columns: propColumns}
	subj := benchSubject
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		subj.User = strconv.Itoa(i)
		if _, err := e.RowFilter(ctx, "Row", []string{"root", "c1"}, subj, tab); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRowFilterCached asks for the same filter again, as repeated lists do.
func BenchmarkRowFilterCached(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	tab := Table{Dialect: "postgres", Columns: propColumns}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.RowFilter(ctx, "Row", []string{"root", "c1"}, benchSubject, tab); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAllowRow evaluates the same policies on one row.
func BenchmarkAllowRow(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	row := map[string]any{"tenant": "230100", "path": "/230000/230100/", "username": "wang", "disabled": false, "level": int64(3)}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := e.AllowRow(ctx, "Row", []string{"root", "c1"}, benchSubject, row); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkGuard asks two guards about a role change.
func BenchmarkGuard(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	in := GuardInput{Subject: benchSubject, Action: "write", Kind: "Role", Tenant: "c1", Object: map[string]any{
		"kind": "Role", "metadata": map[string]any{"name": "editor"},
		"spec": map[string]any{"permissions": []any{map[string]any{"actions": []any{"read", "*"}}}}}}
	b.ReportAllocs()
	for b.Loop() {
		if r, err := e.Guard(ctx, []string{"root", "c1"}, in); err != nil || len(r) != 1 {
			b.Fatal(r, err)
		}
	}
}
