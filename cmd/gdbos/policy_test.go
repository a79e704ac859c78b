package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

const policyTestdata = "../../core/policy/testdata/rego"

func TestPolicyTest(t *testing.T) {
	invalid := t.TempDir()
	writeFile(t, filepath.Join(invalid, "p.yaml"), "kind: Policy\nmetadata: {tenant: \"1\", name: broken}\nspec:\n  purpose: rows\n  target: User\n  module: |\n    package x\n    ok if {\n")
	empty := t.TempDir()
	writeFile(t, filepath.Join(empty, "a.rego"), "package a\nallow := true\n")
	tests := []struct {
		name    string
		args    []string
		wantErr string
		want    []string
		notWant []string
	}{
		{name: "passing", args: []string{filepath.Join(policyTestdata, "pass")},
			want: []string{
				"PASS: data.gdbos.users_test.test_delete_refused",
				"PASS: data.gdbos.users_test.test_officer_does_not_see_other_county",
				"PASS: data.gdbos.users_test.test_officer_sees_own_county",
				"3 passed, 0 failed",
			}},
		{name: "failing", args: []string{filepath.Join(policyTestdata, "fail")}, wantErr: "policy: 1 of 2 tests failed",
			want:    []string{"PASS: data.gdbos.guard_test.test_named_object_allowed", "FAIL: data.gdbos.guard_test.test_wrong_expectation", "1 passed, 1 failed"},
			notWant: []string{"trace:"}},
		{name: "failing, verbose", args: []string{filepath.Join(policyTestdata, "fail"), "-v"}, wantErr: "policy: 1 of 2 tests failed",
			want: []string{"FAIL: data.gdbos.guard_test.test_wrong_expectation", "output:", `deny: {"name required"}`, "trace:", "1 passed, 1 failed"}},
		{name: "both folders", args: []string{policyTestdata}, wantErr: "policy: 1 of 5 tests failed", want: []string{"4 passed, 1 failed"}},
		{name: "a policy the server would refuse", args: []string{invalid}, wantErr: "p.yaml: policy 1/broken is invalid: /spec/module: line 3, column 0: rego_parse_error: unexpected eof token"},
		{name: "no tests", args: []string{empty}, wantErr: "policy: no tests found", want: []string{"0 passed, 0 failed"}},
		{name: "missing folder", args: []string{filepath.Join(empty, "nope")}, wantErr: "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			cmd := newPolicyCmd()
			cmd.SetArgs(append([]string{"test"}, tt.args...))
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.Execute()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want %q\n%s", err, tt.wantErr, out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
		})
	}
}
