package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
)

func TestCompile(t *testing.T) {
	tests := []struct {
		name    string
		p       Policy
		wantErr []string // fragments of the field errors, in order
		opa     int      // how many OPA errors Details carries
	}{
		{name: "rows", p: rows(`package a
allow if input.row.tenant in input.subject.tenants`)},
		{name: "guard with time", p: guard(`package g
import rego.v1
deny contains "too late" if time.now_ns() > 0`)},
		{name: "parse error with location", p: rows("package a\n\nallow if {\n    input.row.x ==\n}"),
			wantErr: []string{"/spec/module: line 5, column 1: rego_parse_error: "}, opa: 1},
		{name: "rego v0 syntax", p: rows("package a\nallow { true }"),
			wantErr: []string{"line 2, column 1: rego_parse_error: `if` keyword is required"}, opa: 1},
		{name: "import of something else", p: rows("package a\nimport http\nallow if true"),
			wantErr: []string{"line 2, column 8: rego_parse_error: unexpected import path"}, opa: 1},
		{name: "no allow", p: rows("package a\nok if true"),
			wantErr: []string{"/spec/module: a rows policy must define the rule allow"}},
		{name: "no deny", p: guard("package a\nallow if true"),
			wantErr: []string{"a guard policy must define the rule deny"}},
		{name: "deny not a set", p: guard("package a\ndeny if true"),
			wantErr: []string{"line 2, column 1: deny must be a set of reasons"}},
		{name: "every problem reported", p: rows(`package a
import data.other
allow if {
	http.send({"method": "GET", "url": "http://x"})
	rand.intn("x", 3) > 1
	net.lookup_ip_addr("x")
	opa.runtime()
	undefined_fn(1)
	other.x
}`),
			wantErr: []string{
				"line 4, column 2: builtin http.send is not allowed",
				"line 5, column 2: builtin rand.intn is not allowed",
				"line 6, column 2: builtin net.lookup_ip_addr is not allowed",
				"line 7, column 2: builtin opa.runtime is not allowed",
				"line 8, column 2: rego_type_error: undefined function undefined_fn",
			}, opa: 1},
		{name: "bad purpose and target", p: Policy{Tenant: "t", Name: "n", Purpose: "other", Module: "package a\nallow := true"},
			wantErr: []string{`/spec/purpose: purpose must be "rows" or "guard", not "other"`, "/spec/target: target is required"}},
		{name: "rows on every target", p: Policy{Tenant: "t", Name: "n", Purpose: PurposeRows, Target: "*", Module: "package a\nallow := true"},
			wantErr: []string{`/spec/target: a rows policy needs a named target`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Compile(tt.p)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Compile: %v", err)
				}
				return
			}
			checkFieldErrors(t, err, tt.wantErr, tt.opa)
		})
	}
}

func checkFieldErrors(t *testing.T, err error, want []string, opa int) {
	t.Helper()
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Code != apierr.ValidationFailed {
		t.Fatalf("want a VALIDATION_FAILED *apierr.Error, got %v", err)
	}
	if len(ae.Fields) != len(want) {
		t.Fatalf("want %d field errors, got %d: %v", len(want), len(ae.Fields), err)
	}
	for i, w := range want {
		if got := ae.Fields[i].Path + ": " + ae.Fields[i].Message; !strings.Contains(got, w) {
			t.Errorf("field error %d: %q does not contain %q", i, got, w)
		}
	}
	got, _ := ae.Details["opaErrors"].([]map[string]any)
	if len(got) != opa {
		t.Fatalf("want %d opaErrors, got %v", opa, ae.Details)
	}
	for _, o := range got {
		for _, k := range []string{"code", "row", "col", "message"} {
			if _, ok := o[k]; !ok {
				t.Errorf("opaErrors entry %v has no %s", o, k)
			}
		}
	}
}

func rows(module string) Policy {
	return Policy{Tenant: "230000", Name: "p", Purpose: PurposeRows, Target: "User", Module: module}
}

func guard(module string) Policy {
	return Policy{Tenant: "230000", Name: "g", Purpose: PurposeGuard, Target: AnyTarget, Module: module}
}
