package plugin_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/kernel/kerneltest"
	"github.com/gdbos/gdbos/core/plugin/plugintest"
)

var faulty plugintest.Binary

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "plugin-test-")
	if err != nil {
		panic(err)
	}
	faulty, err = plugintest.Build("./testdata/faulty", dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const timeout = 400 * time.Millisecond

// faultyKernel installs the faulty plugin with a 400 ms timeout and grants it at
// 230102.
func faultyKernel(t *testing.T) (*kerneltest.Server, string) {
	t.Helper()
	return faultyKernelOn(t, kerneltest.Options{})
}

// faultyKernelOn is faultyKernel on the database opts selects.
func faultyKernelOn(t *testing.T, opts kerneltest.Options) (*kerneltest.Server, string) {
	t.Helper()
	s := kerneltest.Start(t, opts)
	admin := s.Admin(t)
	plugintest.Install(t, s, admin, faulty, fmt.Sprintf("timeoutMs: %d", timeout.Milliseconds()))
	plugintest.Grant(t, s, admin, "230102", "faulty", "[graphql]", "[{on: Enterprise, actions: [read]}]")
	okWithin(t, s, admin, 5*time.Second) // started: the tests time calls, not cold starts
	return s, admin
}

// okWithin asks for the healthy field until it answers, and fails unless it does
// within d; it returns the answer.
func okWithin(t *testing.T, s *kerneltest.Server, token string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		r := s.Data(t, "230102", token, `{faulty{ok}}`, nil)
		if len(r.Errors) == 0 {
			return r.Data["faulty"].(map[string]any)["ok"].(string)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the plugin was not back within %s: %s", d, r.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// kernelServes checks that a kernel request unrelated to plugins answers.
func kernelServes(t *testing.T, s *kerneltest.Server, token string) {
	t.Helper()
	began := time.Now()
	r := s.Do(t, token, `{tenant(code:"230102"){name}}`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("the kernel stopped serving: %s", r.Body)
	}
	if d := time.Since(began); d > time.Second {
		t.Fatalf("a kernel request took %s while a plugin misbehaved", d)
	}
}

func pid(answer string) string {
	f := strings.Fields(answer)
	for i := range f {
		if f[i] == "pid" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return ""
}

func TestFaults(t *testing.T) {
	s, admin := faultyKernel(t)
	first := okWithin(t, s, admin, 5*time.Second)
	if !strings.HasPrefix(first, "ok 230102 "+kerneltest.SecurityAdmin) {
		t.Fatalf("ok = %q, want the tenant and the user", first)
	}

	for _, tc := range []struct {
		name, query, code string
		// crashes: the process dies and must be back within a second.
		crashes bool
	}{
		{"panic", `{faulty{panic}}`, "PLUGIN_UNAVAILABLE", true},
		{"exit", `{faulty{exit}}`, "PLUGIN_UNAVAILABLE", true},
		{"hang", `{faulty{hang}}`, "PLUGIN_TIMEOUT", false},
		{"slow answer", `{faulty{slow(ms: 2000)}}`, "PLUGIN_TIMEOUT", false},
		{"malformed data", `{faulty{malformed{count}}}`, "PLUGIN_BAD_RESPONSE", false},
		{"handler error", `{faulty{fails}}`, "NOT_FOUND", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := pid(okWithin(t, s, admin, 2*time.Second))
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the kernel keeps serving while the plugin misbehaves
				defer wg.Done()
				time.Sleep(50 * time.Millisecond)
				kernelServes(t, s, admin)
			}()
			began := time.Now()
			r := s.Data(t, "230102", admin, tc.query, nil)
			took := time.Since(began)
			wg.Wait()
			if r.Code() != tc.code {
				t.Fatalf("code = %q, want %s: %s", r.Code(), tc.code, r.Body)
			}
			if took > timeout+500*time.Millisecond {
				t.Fatalf("the call failed after %s, beyond its %s timeout", took, timeout)
			}
			if !strings.Contains(r.Errors[0].Message, "faulty") {
				t.Errorf("the message does not name the plugin: %s", r.Errors[0].Message)
			}
			crashed := time.Now()
			after := pid(okWithin(t, s, admin, time.Second))
			if tc.crashes && after == before {
				t.Fatalf("pid %s still answers after a crash", after)
			}
			if !tc.crashes && after != before {
				t.Fatalf("the plugin was restarted (pid %s → %s) for a fault that needs no restart", before, after)
			}
			t.Logf("%s: failed in %s with %s; answering again after %s", tc.name, took.Round(time.Millisecond), r.Code(), time.Since(crashed).Round(time.Millisecond))
		})
	}
}

func TestMalformedAnswerNamesThePath(t *testing.T) {
	s, admin := faultyKernel(t)
	r := s.Data(t, "230102", admin, `{faulty{malformed{count}}}`, nil)
	if r.Code() != "PLUGIN_BAD_RESPONSE" || !strings.Contains(r.Errors[0].Message, "faulty.malformed.count: string many where Int is expected") {
		t.Fatalf("got %s", r.Body)
	}
}

func TestLogFlood(t *testing.T) {
	s, admin := faultyKernel(t)
	okWithin(t, s, admin, 5*time.Second)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := s.Data(t, "230102", admin, `{faulty{flood(lines: 200000)}}`, nil)
		if len(r.Errors) > 0 && r.Code() != "PLUGIN_TIMEOUT" {
			t.Errorf("flood: %s", r.Body)
		}
	}()
	for i := 0; i < 5; i++ {
		kernelServes(t, s, admin)
		time.Sleep(20 * time.Millisecond)
	}
	<-done
	okWithin(t, s, admin, time.Second)
	body := metrics(t, s)
	if !strings.Contains(body, `gdbos_plugin_calls_total{op="resolve",outcome="ok",plugin="faulty"}`) {
		t.Fatalf("no per-plugin metrics:\n%s", body)
	}
	if !regexp.MustCompile(`gdbos_plugin_log_lines_dropped_total\{plugin="faulty"\} [1-9]`).MatchString(body) {
		t.Fatalf("the flood was not counted as dropped lines:\n%s", body)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	admin := s.Admin(t)
	plugintest.Install(t, s, admin, faulty, "timeoutMs: 800, concurrency: 1")
	plugintest.Grant(t, s, admin, "230102", "faulty", "[graphql]", "")
	okWithin(t, s, admin, 5*time.Second)
	hung := make(chan string)
	go func() { hung <- s.Data(t, "230102", admin, `{faulty{hang}}`, nil).Code() }()
	time.Sleep(300 * time.Millisecond) // the hanging call holds the one slot until its timeout
	began := time.Now()
	r := s.Data(t, "230102", admin, `{faulty{ok}}`, nil)
	waited := time.Since(began)
	if code := <-hung; code != "PLUGIN_TIMEOUT" {
		t.Fatalf("the hanging call: %s", code)
	}
	if len(r.Errors) > 0 || waited < 200*time.Millisecond {
		t.Fatalf("with one call at a time, the second call must wait for the slot: it took %s: %s", waited, r.Body)
	}
}

func metrics(t *testing.T, s *kerneltest.Server) string {
	t.Helper()
	res, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// TestFrozenProcessIsReplaced stops the plugin's process entirely (SIGSTOP): calls
// time out, the health check notices, and a new process serves.
func TestFrozenProcessIsReplaced(t *testing.T) {
	s, admin := faultyKernel(t)
	before := pid(okWithin(t, s, admin, 5*time.Second))
	n, err := strconv.Atoi(before)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(n, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	for !stopped(n) { // on a loaded machine the stop takes effect a little later
		time.Sleep(time.Millisecond)
	}
	defer syscall.Kill(n, syscall.SIGKILL) //nolint:errcheck // gone already when the kernel replaced it
	if r := s.Data(t, "230102", admin, `{faulty{ok}}`, nil); r.Code() != "PLUGIN_TIMEOUT" {
		m := metrics(t, s)
		var lines []string
		for _, l := range strings.Split(m, "\n") {
			if strings.HasPrefix(l, "gdbos_plugin_starts_total") || strings.HasPrefix(l, "gdbos_plugin_crashes_total") {
				lines = append(lines, l)
			}
		}
		t.Fatalf("a frozen plugin (pid %s) answered: %s\n%s", before, r.Body, strings.Join(lines, "\n"))
	}
	kernelServes(t, s, admin)
	if after := pid(okWithin(t, s, admin, 5*time.Second)); after == before {
		t.Fatalf("pid %s still answers", after)
	}
}

// TestHangingEventHandler: a plugin whose event handler never returns holds up
// neither the writes that emit events nor the bus's other subscribers.
func TestHangingEventHandler(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	admin := s.Admin(t)
	plugintest.Install(t, s, admin, faulty, "timeoutMs: 300")
	plugintest.Grant(t, s, admin, "230102", "faulty", "[events]", "")
	var seen atomic.Int64
	s.K.Events().Subscribe("resource.", func(context.Context, event.Event) { seen.Add(1) })
	const n = 5
	began := time.Now()
	for i := 0; i < n; i++ {
		yaml := fmt.Sprintf("apiVersion: gdbos.io/v1\nkind: Module\nmetadata: {tenant: \"230102\", name: m%d}\nspec: {enabled: true}\n", i)
		if r := s.Apply(t, admin, yaml); len(r.Errors) > 0 {
			t.Fatal(r.Body)
		}
	}
	for seen.Load() < n {
		if time.Since(began) > 3*time.Second {
			t.Fatalf("the bus delivered %d of %d events in 3 s while a plugin's handler hung", seen.Load(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(metrics(t, s), `gdbos_plugin_calls_total{op="event",outcome="timeout",plugin="faulty"}`) {
		if time.Now().After(deadline) {
			t.Fatalf("no timed-out event call counted:\n%s", metrics(t, s))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSlowStartKeepsTheTimeout: a call that finds the plugin stopped waits for its
// start only as long as its own timeout.
func TestSlowStartKeepsTheTimeout(t *testing.T) {
	s := kerneltest.Start(t, kerneltest.Options{})
	admin := s.Admin(t)
	plugintest.Install(t, s, admin, faulty, "timeoutMs: 1")
	plugintest.Grant(t, s, admin, "230102", "faulty", "[graphql]", "")
	began := time.Now()
	r := s.Data(t, "230102", admin, `{faulty{ok}}`, nil)
	if r.Code() != "PLUGIN_TIMEOUT" || !strings.Contains(r.Body, "did not start within the call's 1ms timeout") {
		t.Fatalf("a call within 1 ms of a cold start: %s", r.Body)
	}
	if d := time.Since(began); d > time.Second {
		t.Fatalf("the call took %s", d)
	}
}

// stopped reports whether process pid is stopped (state T in /proc/PID/stat).
func stopped(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return strings.HasPrefix(rest, "T")
}
