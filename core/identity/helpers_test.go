package identity_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/event"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	svc   *identity.Service
	st    *store.Store
	log   *audit.Log
	bus   *event.Bus
	clock *clock
}

var ctx = context.Background()

func newEnv(t testing.TB, s *store.Store) *env {
	t.Helper()
	log := audit.New(s)
	if err := log.Install(ctx); err != nil {
		t.Fatal(err)
	}
	bus := event.New(s, event.Options{PollInterval: 20 * time.Millisecond})
	if err := bus.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	c := &clock{t: time.Now().UTC()}
	svc := identity.New(s, log, bus, identity.Options{Now: c.Now})
	return &env{svc: svc, st: s, log: log, bus: bus, clock: c}
}

func (e *env) user(t testing.TB, name, password string) identity.User {
	t.Helper()
	u, err := e.svc.CreateUser(ctx, "admin", identity.UserInput{Username: name, DisplayName: strings.ToUpper(name), Password: password, HomeTenant: "230100"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) login(t testing.TB, name, password string) string {
	t.Helper()
	tok, _, _, err := e.svc.Login(ctx, name, password, "10.0.0.1")
	if err != nil {
		t.Fatalf("login %s: %v", name, err)
	}
	return tok
}

// wantErr checks an error's code and, when msg is set, that its message contains msg.
func wantErr(t testing.TB, err error, code apierr.Code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if got := apierr.CodeOf(err); got != code || !strings.Contains(err.Error(), msg) {
		t.Fatalf("error = %s %q, want %s containing %q", got, err, code, msg)
	}
}
