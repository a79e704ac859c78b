package plugin_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

const healthQuery = `query($id:String){pluginHealth(id:$id){
	plugin state running startedAt nextAttemptAt crashesInARow lastError starts failedStarts crashes
	calls errors timeouts badResponses unavailable meanCallMs logLinesDropped
	outcomes{op outcome count} faults{at op kind message}}}`

// pluginHealth reads the faulty plugin's health through GraphQL.
func pluginHealth(t *testing.T, s *kerneltest.Server, token string) map[string]any {
	t.Helper()
	d := s.MustDo(t, token, healthQuery, map[string]any{"id": "faulty"})
	l := d["pluginHealth"].([]any)
	if len(l) != 1 {
		t.Fatalf("pluginHealth(id: faulty) = %v", l)
	}
	return l[0].(map[string]any)
}

func num(h map[string]any, k string) int {
	f, _ := h[k].(float64)
	return int(f)
}

// faultKinds lists the kinds of the recent faults, newest first, with their ops.
func faultKinds(h map[string]any) []string {
	var out []string
	for _, f := range h["faults"].([]any) {
		m := f.(map[string]any)
		op, _ := m["op"].(string)
		out = append(out, m["kind"].(string)+"/"+op)
	}
	return out
}

func TestHealthCountsCallsCrashesAndFaults(t *testing.T) {
	s, admin := faultyKernel(t) // started, after one ok call at least
	h := pluginHealth(t, s, admin)
	if h["state"] != "running" || h["running"] != true || h["startedAt"] == nil || num(h, "starts") != 1 || num(h, "crashes") != 0 {
		t.Fatalf("a started plugin's health: %v", h)
	}
	if num(h, "calls") < 1 || num(h, "errors") != 0 || len(h["faults"].([]any)) != 0 || h["meanCallMs"] == nil {
		t.Fatalf("after ok calls only: %v", h)
	}

	// A crash during a call: counted, listed, and the plugin runs again.
	if r := s.Data(t, "230102", admin, `{faulty{exit}}`, nil); r.Code() != "PLUGIN_UNAVAILABLE" {
		t.Fatalf("exit: %s", r.Body)
	}
	okWithin(t, s, admin, time.Second)
	h = pluginHealth(t, s, admin)
	kinds := strings.Join(faultKinds(h), " ")
	// Exactly once: a request that selects a plugin's field is not planned by the data
	// API's own executor, so a failed call is not made again by graphql-go's.
	// (okWithin's polls may find the process gone too: those are other calls.)
	if num(h, "crashes") != 1 || num(h, "starts") != 2 || faultsSaying(h, "resolve exit:") != 1 || h["state"] != "running" {
		t.Fatalf("after a crash: %v", h)
	}
	if !strings.Contains(kinds, "crash/") || !strings.Contains(kinds, "unavailable/resolve") {
		t.Fatalf("the crash is not among the recent faults: %v", kinds)
	}
	if h["lastError"] == nil || !strings.Contains(h["lastError"].(string), "exited") {
		t.Fatalf("lastError after a crash: %v", h["lastError"])
	}

	// A timeout and a malformed answer: counted and listed, newest first; a
	// handler's own error is counted as an error but is no fault.
	if r := s.Data(t, "230102", admin, `{faulty{slow(ms: 1000)}}`, nil); r.Code() != "PLUGIN_TIMEOUT" {
		t.Fatalf("slow: %s", r.Body)
	}
	if r := s.Data(t, "230102", admin, `{faulty{malformed{count}}}`, nil); r.Code() != "PLUGIN_BAD_RESPONSE" {
		t.Fatalf("malformed: %s", r.Body)
	}
	if r := s.Data(t, "230102", admin, `{faulty{fails}}`, nil); r.Code() != "NOT_FOUND" {
		t.Fatalf("fails: %s", r.Body)
	}
	h = pluginHealth(t, s, admin)
	kinds = strings.Join(faultKinds(h), " ")
	if !regexp.MustCompile(`^bad_response/resolve timeout/resolve (unavailable/resolve |crash/ )+$`).MatchString(kinds + " ") {
		t.Fatalf("recent faults, newest first: %v", kinds)
	}
	if strings.Contains(kinds, "error/") {
		t.Fatalf("a handler's own error is listed as a fault: %v", kinds)
	}
	// A handler's own error travels inside a batch's answer, whose call went well.
	if num(h, "timeouts") != 1 || num(h, "badResponses") != 1 || faultsSaying(h, "resolve slow:") != 1 || num(h, "errors") < 3 {
		t.Fatalf("after a timeout, a malformed answer and an error: %v", h)
	}
}

// faultsSaying counts the recent faults whose message contains says.
func faultsSaying(h map[string]any, says string) int {
	n := 0
	for _, f := range h["faults"].([]any) {
		if m, _ := f.(map[string]any)["message"].(string); strings.Contains(m, says) {
			n++
		}
	}
	return n
}

func TestHealthIsReadLikeTheCatalog(t *testing.T) {
	s, admin := faultyKernel(t)
	d := s.MustDo(t, admin, `{pluginHealth{plugin state}}`, nil)
	if l := d["pluginHealth"].([]any); len(l) != 1 || l[0].(map[string]any)["plugin"] != "faulty" {
		t.Fatalf("every plugin's health: %v", l)
	}
	if r := s.Do(t, admin, `{pluginHealth(id:"nobody"){state}}`, nil); r.Code() != "NOT_FOUND" {
		t.Fatalf("an unknown plugin's health: %s", r.Body)
	}
	daoli, _ := pluginUsers(t, s, admin)
	if r := s.Do(t, daoli, `{pluginHealth{state}}`, nil); r.Code() != "FORBIDDEN" {
		t.Fatalf("a user who may not read the catalog reads its health: %s", r.Body)
	}
}

func TestInstallRefusalsAtTheirField(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	admin := s.Admin(t)
	wrong := strings.Repeat("0", 64)
	for _, tc := range []struct {
		name, binary, sha256, id, path, says string
	}{
		{"checksum differs", faulty.Path, wrong, "", "/spec/sha256", "checksum differs"},
		{"not a checksum", faulty.Path, "abc", "", "/spec/sha256", "64 hexadecimal digits"},
		{"no such binary", faulty.Path + "-gone", faulty.SHA256, "", "/spec/binary", "no such file"},
		{"another plugin", faulty.Path, faulty.SHA256, "credit-check", "/metadata/name", `the binary is plugin "faulty", not "credit-check"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Do(t, admin, `mutation($b:String!,$s:String!,$id:String){installPlugin(binary:$b, sha256:$s, id:$id){id}}`,
				map[string]any{"b": tc.binary, "s": tc.sha256, "id": tc.id})
			fields, _ := r.Errors[0].Extensions["fields"].([]any)
			if r.Code() != "VALIDATION_FAILED" || len(fields) != 1 {
				t.Fatalf("got %s", r.Body)
			}
			f := fields[0].(map[string]any)
			if f["path"] != tc.path || !strings.Contains(f["message"].(string), tc.says) {
				t.Fatalf("refused at %v with %q, want %s saying %q", f["path"], f["message"], tc.path, tc.says)
			}
		})
	}
	d := s.MustDo(t, admin, `mutation($b:String!,$s:String!){installPlugin(binary:$b, sha256:$s, id:"faulty"){id}}`,
		map[string]any{"b": faulty.Path, "s": faulty.SHA256})
	if d["installPlugin"].(map[string]any)["id"] != "faulty" {
		t.Fatalf("install with the right ID: %v", d)
	}
}
