package identity_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

const goodPW = "correct horse battery"

func TestLogin(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user(t, "alice", goodPW)
		e.user(t, "dave", goodPW)
		if err := e.svc.SetDisabled(ctx, "admin", "dave", true); err != nil {
			t.Fatal(err)
		}
		const generic = "invalid username or password"
		cases := []struct {
			name, user, pw string
			code           apierr.Code
		}{
			{"ok", "alice", goodPW, ""},
			{"wrong password", "alice", "wrong password", apierr.Unauthenticated},
			{"unknown user", "nobody", goodPW, apierr.Unauthenticated},
			{"disabled user", "dave", goodPW, apierr.Unauthenticated},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tok, exp, u, err := e.svc.Login(ctx, c.user, c.pw, "10.0.0.9")
				if c.code != "" {
					wantErr(t, err, c.code, generic)
					if err.Error() != generic {
						t.Fatalf("message %q reveals more than %q", err, generic)
					}
					return
				}
				if err != nil || !strings.HasPrefix(tok, identity.SessionPrefix) || u.Username != "alice" ||
					!exp.Equal(e.clock.Now().Add(identity.DefaultSessionTTL)) {
					t.Fatalf("login = %q %v %+v %v", tok, exp, u, err)
				}
				p, err := e.svc.Authenticate(ctx, "Bearer "+tok)
				if err != nil || p.Username != "alice" || p.SessionID == 0 || p.HomeTenant != "230100" {
					t.Fatalf("principal = %+v %v", p, err)
				}
			})
		}
	})
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user(t, "alice", goodPW)
		for range 5 {
			_, _, _, err := e.svc.Login(ctx, "alice", "wrong password", "10.0.0.1")
			wantErr(t, err, apierr.Unauthenticated, "invalid username or password")
		}
		_, _, _, err := e.svc.Login(ctx, "alice", goodPW, "10.0.0.2")
		until := e.clock.Now().Add(15 * time.Minute).Format("15:04")
		wantErr(t, err, apierr.RateLimited, "too many failed sign-ins for this account; try again after "+until)
		e.clock.Advance(15*time.Minute + time.Second)
		e.login(t, "alice", goodPW)
	})
}

func TestPerIPLimit(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user(t, "alice", goodPW)
		for i := range 20 {
			_, _, _, err := e.svc.Login(ctx, fmt.Sprintf("guess%d", i), "whatever1", "10.6.6.6")
			wantErr(t, err, apierr.Unauthenticated, "")
		}
		_, _, _, err := e.svc.Login(ctx, "alice", goodPW, "10.6.6.6")
		wantErr(t, err, apierr.RateLimited, "address")
		if _, _, _, err := e.svc.Login(ctx, "alice", goodPW, "10.0.0.1"); err != nil {
			t.Fatalf("another address is limited too: %v", err)
		}
		e.clock.Advance(61 * time.Second)
		if _, _, _, err := e.svc.Login(ctx, "alice", goodPW, "10.6.6.6"); err != nil {
			t.Fatalf("limit did not expire: %v", err)
		}
	})
}

func TestLoginsAreAudited(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user(t, "alice", goodPW)
		e.login(t, "alice", goodPW)
		_, _, _, _ = e.svc.Login(ctx, "alice", "secret-wrong-pw", "10.0.0.7")
		entries, _, total, err := e.log.List(ctx, audit.Filter{Action: "login"}, 10, 0)
		if err != nil || total != 2 {
			t.Fatalf("entries = %+v total=%d err=%v", entries, total, err)
		}
		failed, ok := entries[0], entries[1]
		if failed.Outcome != audit.OutcomeFailed || failed.Target != "alice" || failed.Detail["ip"] != "10.0.0.7" {
			t.Fatalf("failed entry = %+v", failed)
		}
		if ok.Outcome != audit.OutcomeOK || ok.Actor != "alice" {
			t.Fatalf("ok entry = %+v", ok)
		}
		for _, en := range entries {
			if strings.Contains(fmt.Sprint(en), "secret-wrong-pw") || strings.Contains(fmt.Sprint(en), goodPW) {
				t.Fatalf("a password reached the audit log: %+v", en)
			}
		}
		if r, err := e.log.Verify(ctx); err != nil || !r.OK {
			t.Fatalf("verify = %+v %v", r, err)
		}
	})
}

func TestBootstrap(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		pw, created, err := e.svc.Bootstrap(ctx, "")
		if err != nil || !created || len(pw) < 20 {
			t.Fatalf("bootstrap = %q %v %v", pw, created, err)
		}
		if again, created, err := e.svc.Bootstrap(ctx, "other-password"); err != nil || created || again != "" {
			t.Fatalf("second bootstrap = %q %v %v", again, created, err)
		}
		tok := e.login(t, identity.AdminUsername, pw)
		if p, err := e.svc.Authenticate(ctx, tok); err != nil || !p.Superadmin {
			t.Fatalf("admin principal = %+v %v", p, err)
		}
	})
}

func BenchmarkLogin(b *testing.B) {
	e := newEnv(b, storetest.SQLite(b))
	e.user(b, "alice", goodPW)
	for b.Loop() {
		if _, _, _, err := e.svc.Login(ctx, "alice", goodPW, "10.0.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}
