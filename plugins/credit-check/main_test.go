package main

import (
	"testing"

	"github.com/gdbos/gdbos/sdk/sdktest"
)

func serve(t *testing.T) *sdktest.Plugin {
	t.Helper()
	list, err := load(creditCSV)
	if err != nil {
		t.Fatal(err)
	}
	return sdktest.Serve(t, New(list), sdktest.Host{})
}

func TestStatus(t *testing.T) {
	p := serve(t)
	got, err := p.Resolve("status", map[string]any{"uscc": "91230103ma1bc4de5f"})
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	if m["level"] != "WATCH" || m["score"] != float64(61) || m["name"] != "哈尔滨南岗建材有限公司" {
		t.Fatalf("status = %v", m)
	}
	if got, err := p.Resolve("status", map[string]any{"uscc": "91110000000000000X"}); err != nil || got != nil {
		t.Fatalf("unknown code: %v, %v; want null", got, err)
	}
}

func TestCheckAction(t *testing.T) {
	p := serve(t)
	for uscc, want := range map[string]string{
		"91230102MA1AB3CD4E": "pass", "91230103MA1BC4DE5F": "review", "91230104MA1CD5EF6G": "reject", "91110000000000000X": "reject",
	} {
		out, err := p.Action("check", map[string]any{"uscc": uscc})
		if err != nil || out.Outcome != want {
			t.Errorf("%s: %+v, %v; want %s", uscc, out, err, want)
		}
	}
	if _, err := p.Action("check", map[string]any{}); err == nil {
		t.Error("a case without uscc was checked")
	}
}

func TestCreditListIsWellFormed(t *testing.T) {
	list, err := load(creditCSV)
	if err != nil || len(list) < 5 {
		t.Fatalf("%d records, %v", len(list), err)
	}
	for code, r := range list {
		if len(code) != 18 || (r.Level != "GOOD" && r.Level != "WATCH" && r.Level != "BLACKLISTED") {
			t.Errorf("bad record %+v", r)
		}
	}
}
