package host_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdbos/gdbos/sdk/host"
	"github.com/gdbos/gdbos/sdk/internal/wire"
)

var bin string // directory of the test plugins

func TestMain(m *testing.M) {
	if os.Getenv(floorEnv) != "" {
		serveFloor()
		return
	}
	dir, err := os.MkdirTemp("", "host-test-")
	if err != nil {
		panic(err)
	}
	bin = dir
	for _, name := range []string{"echo", "future"} {
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, name), "./testdata/"+name)
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", name, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func start(t *testing.T, name string, mod func(*host.Config)) (*host.Process, error) {
	t.Helper()
	path := filepath.Join(bin, name)
	sum, err := host.FileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := host.Config{ID: name, Path: path, SHA256: sum, DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)}
	if mod != nil {
		mod(&cfg)
	}
	p, err := host.Start(context.Background(), cfg)
	if p != nil {
		t.Cleanup(p.Kill)
	}
	return p, err
}

func TestStartNegotiatesAndCalls(t *testing.T) {
	p, err := start(t, "echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Protocol() != 2 || p.Manifest().ID != "echo" || p.Manifest().GraphQL == nil {
		t.Fatalf("protocol %d, manifest %+v", p.Protocol(), p.Manifest())
	}
	got, err := p.Resolve(context.Background(), host.Call{Tenant: "230102"}, "echo", map[string]any{"s": "你好"})
	if err != nil || string(got) != `"你好"` {
		t.Fatalf("echo = %s, %v", got, err)
	}
}

// TestPluginRunsOnOneThread: a plugin that does not set MaxProcs runs its Go code on
// one thread (GOMAXPROCS 1), unless the environment says otherwise.
func TestPluginRunsOnOneThread(t *testing.T) {
	p, err := start(t, "echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "1"
	if env := os.Getenv("GOMAXPROCS"); env != "" {
		want = env
	}
	if got, err := p.Resolve(context.Background(), host.Call{}, "procs", nil); err != nil || string(got) != want {
		t.Fatalf("GOMAXPROCS in the plugin = %s, %v; want %s", got, err, want)
	}
}

func TestChecksumMismatchIsRefused(t *testing.T) {
	_, err := start(t, "echo", func(c *host.Config) { c.SHA256 = strings.Repeat("ab", 32) })
	if !errors.Is(err, host.ErrChecksum) || !strings.Contains(err.Error(), "the catalog pins abab") {
		t.Fatalf("err = %v, want ErrChecksum naming both sums", err)
	}
}

func TestUnknownProtocolVersionIsRefusedClearly(t *testing.T) {
	_, err := start(t, "future", func(c *host.Config) { c.ID = "" })
	if !errors.Is(err, host.ErrProtocol) || !strings.Contains(err.Error(), "Plugin version: 99") || !strings.Contains(err.Error(), "runs protocol versions [1 2]") {
		t.Fatalf("err = %v, want ErrProtocol naming both versions", err)
	}
}

func TestWrongIDIsRefused(t *testing.T) {
	_, err := start(t, "echo", func(c *host.Config) { c.ID = "credit-check" })
	if !errors.Is(err, host.ErrBadResponse) || !strings.Contains(err.Error(), `says it is plugin "echo"`) {
		t.Fatalf("err = %v", err)
	}
}

// bothVersions runs f with a kernel that negotiates protocol version 2 (call
// streams) and with one that runs only version 1 (a unary call each), against the
// same plugin binary, which serves both.
func bothVersions(t *testing.T, f func(t *testing.T, version int)) {
	for _, v := range []int{2, 1} {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			if v == 1 {
				saved := wire.HostVersions
				wire.HostVersions = []int{1}
				t.Cleanup(func() { wire.HostVersions = saved })
			}
			f(t, v)
		})
	}
}

func TestTimeoutAndExitAreClassified(t *testing.T) {
	bothVersions(t, func(t *testing.T, version int) {
		p, err := start(t, "echo", nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Protocol() != version {
			t.Fatalf("negotiated %d, want %d", p.Protocol(), version)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		began := time.Now()
		if _, err := p.Resolve(ctx, host.Call{}, "sleep", nil); !errors.Is(err, host.ErrTimeout) {
			t.Fatalf("sleep: err = %v, want ErrTimeout", err)
		}
		if d := time.Since(began); d > time.Second {
			t.Fatalf("the timeout took %s", d)
		}
		// The plugin is still well after a call was abandoned.
		if got, err := p.Resolve(context.Background(), host.Call{}, "echo", map[string]any{"s": "after"}); err != nil || string(got) != `"after"` {
			t.Fatalf("after a timeout: %s, %v", got, err)
		}
		if _, err := p.Resolve(context.Background(), host.Call{}, "exit", nil); !errors.Is(err, host.ErrUnavailable) {
			t.Fatalf("exit: err = %v, want ErrUnavailable", err)
		}
		if _, err := p.Resolve(context.Background(), host.Call{}, "echo", nil); !errors.Is(err, host.ErrUnavailable) {
			t.Fatalf("after exit: err = %v, want ErrUnavailable", err)
		}
	})
}

// TestHandlerSeesTheDeadline: the plugin's handler gets a context that ends when the
// kernel's call does.
func TestHandlerSeesTheDeadline(t *testing.T) {
	bothVersions(t, func(t *testing.T, _ int) {
		p, err := start(t, "echo", nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		got, err := p.Resolve(ctx, host.Call{}, "deadline", nil)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := strconv.Atoi(string(got))
		if err != nil || ms <= 4000 || ms > 5000 {
			t.Fatalf("the handler's deadline was %s ms away, want about 5000", got)
		}
	})
}

// TestResolveFields: the fields a query asks of a plugin go in one call and come back
// in order, each with its own value or failure.
func TestResolveFields(t *testing.T) {
	bothVersions(t, func(t *testing.T, _ int) {
		p, err := start(t, "echo", nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err := p.ResolveFields(context.Background(), host.Call{Tenant: "230102"}, []host.Field{
			{Name: "echo", Args: map[string]any{"s": "a"}},
			{Name: "fail"},
			{Name: "echo", Args: map[string]any{"s": "b"}},
			{Name: "nope"},
		})
		if err != nil {
			t.Fatal(err)
		}
		var f *host.Failure
		if len(out) != 4 || string(out[0].Value) != `"a"` || string(out[2].Value) != `"b"` ||
			!errors.As(out[1].Err, &f) || f.Code != "NOT_FOUND" || f.Message != "nothing here" ||
			!errors.As(out[3].Err, &f) || f.Code != "NOT_FOUND" {
			t.Fatalf("answers = %+v", out)
		}
	})
}

// TestConcurrentCallersGetTheirOwnAnswers: calls from many goroutines share the
// connection's streams without mixing up answers.
func TestConcurrentCallersGetTheirOwnAnswers(t *testing.T) {
	bothVersions(t, func(t *testing.T, _ int) {
		p, err := start(t, "echo", nil)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for g := range 32 {
			wg.Go(func() {
				for i := range 50 {
					want := fmt.Sprintf("%d-%d", g, i)
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					if i%10 == 9 {
						// Some calls are abandoned, so their streams are dropped.
						cancel()
					}
					got, err := p.Resolve(ctx, host.Call{}, "echo", map[string]any{"s": want})
					cancel()
					if i%10 == 9 {
						continue
					}
					if err != nil || string(got) != `"`+want+`"` {
						errs <- fmt.Errorf("caller %d call %d: %s, %v", g, i, got, err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func TestKernelCallBack(t *testing.T) {
	var gotTenant string
	p, err := start(t, "echo", func(c *host.Config) {
		c.Kernel = func(_ context.Context, tenant, query string, _ map[string]any) (map[string]any, error) {
			gotTenant = tenant
			return map[string]any{"tenants": []any{map[string]any{"code": "230102"}, map[string]any{"code": "230103"}}}, nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Resolve(context.Background(), host.Call{Tenant: "230102"}, "tenants", nil)
	if err != nil || string(got) != "2" || gotTenant != "230102" {
		t.Fatalf("tenants = %s, %v (tenant %q)", got, err, gotTenant)
	}
}

// syncBuffer is a log sink safe for the plugin's log reader and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogsAreTaggedAndLimited(t *testing.T) {
	var buf syncBuffer
	p, err := start(t, "echo", func(c *host.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&buf, nil))
		c.LogLinesPerSecond = 100
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Resolve(context.Background(), host.Call{}, "log", nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for p.DroppedLogLines() < 700 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(buf.String(), "plugin=echo") || !strings.Contains(buf.String(), "line 0 from echo") {
		t.Fatalf("the plugin's log lines are not in the kernel's log, tagged:\n%.2000s", buf.String())
	}
	if d := p.DroppedLogLines(); d < 700 || strings.Count(buf.String(), "from echo") > 300 {
		t.Fatalf("dropped %d lines; %d passed: the limit is 100 a second (the lines may straddle up to three seconds)", d, strings.Count(buf.String(), "from echo"))
	}
}

// TestNewerKernelRunsOlderPlugin: a kernel that runs protocol versions 1, 2 and 3
// still runs a plugin that speaks only 1 and 2, and says which version it negotiated.
func TestNewerKernelRunsOlderPlugin(t *testing.T) {
	saved := wire.HostVersions
	wire.HostVersions = []int{1, 2, 3}
	defer func() { wire.HostVersions = saved }()
	p, err := start(t, "echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Protocol() != 2 {
		t.Fatalf("negotiated %d, want 2", p.Protocol())
	}
	if _, err := p.Resolve(context.Background(), host.Call{}, "echo", map[string]any{"s": "x"}); err != nil {
		t.Fatal(err)
	}
}
