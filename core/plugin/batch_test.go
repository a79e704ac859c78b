package plugin_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/kernel/kerneltest"
)

var uptime = regexp.MustCompile(` up \d+ms$`)

var resolveCalls = regexp.MustCompile(`gdbos_plugin_calls_total\{op="resolve",outcome="ok",plugin="faulty"\} (\d+)`)

func okCalls(t *testing.T, s *kerneltest.Server) int {
	t.Helper()
	m := resolveCalls.FindStringSubmatch(metrics(t, s))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestFieldsOfAQueryAreOneCall: the plugin fields one query asks for, with aliases,
// arguments (literal and variable), fragments and directives, are resolved in one call
// to the plugin, and each gets its own answer.
func TestFieldsOfAQueryAreOneCall(t *testing.T) {
	s, admin := faultyKernel(t)
	okWithin(t, s, admin, 5*time.Second)
	before := okCalls(t, s)
	r := s.Data(t, "230102", admin, `query($ms: Int!, $no: Boolean!) {
		faulty { ok again: ok slow(ms: 1) later: slow(ms: $ms) ...more skipped: ok @include(if: $no) }
	}
	fragment more on FaultyQuery { fromFragment: ok }`, map[string]any{"ms": 2, "no": false})
	if len(r.Errors) > 0 {
		t.Fatal(r.Body)
	}
	f := r.Data["faulty"].(map[string]any)
	// Each field's handler runs on its own in the plugin, and "ok" ends with the
	// plugin's uptime in milliseconds, which two handlers may read a millisecond apart.
	for _, k := range []string{"ok", "again", "fromFragment"} {
		if v, ok := f[k].(string); ok {
			f[k] = uptime.ReplaceAllString(v, "")
		}
	}
	if !strings.HasPrefix(f["ok"].(string), "ok 230102") || f["again"] != f["ok"] || f["fromFragment"] != f["ok"] ||
		f["slow"] != "slow" || f["later"] != "slow" || f["skipped"] != nil {
		t.Fatalf("answers: %s", r.Body)
	}
	if n := okCalls(t, s) - before; n != 1 {
		t.Fatalf("%d calls to the plugin for one query, want 1", n)
	}
}

// TestFieldErrorsInABatchStayTheirs: in one call, a field whose handler fails and a
// field whose answer does not fit its type fail on their own, with their paths; the
// others are answered.
func TestFieldErrorsInABatchStayTheirs(t *testing.T) {
	s, admin := faultyKernel(t)
	okWithin(t, s, admin, 5*time.Second)
	r := s.Data(t, "230102", admin, `{faulty{ok fails malformed{count}}}`, nil)
	if ok, _ := r.Data["faulty"].(map[string]any)["ok"].(string); !strings.HasPrefix(ok, "ok 230102") {
		t.Fatalf("ok was not answered: %s", r.Body)
	}
	codes := map[string]bool{}
	for _, e := range r.Errors {
		codes[e.Extensions["code"].(string)] = true
	}
	if len(r.Errors) != 2 || !codes["NOT_FOUND"] || !codes["PLUGIN_BAD_RESPONSE"] ||
		!strings.Contains(r.Body, "faulty.malformed.count: string many where Int is expected") {
		t.Fatalf("errors: %s", r.Body)
	}
}
