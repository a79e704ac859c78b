package identity_test

import (
	"testing"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

func TestSessions(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		e.user(t, "alice", goodPW)
		cases := []struct {
			name string
			act  func(t *testing.T, tok string)
			msg  string
		}{
			{"logout", func(t *testing.T, tok string) {
				if err := e.svc.Logout(ctx, tok); err != nil {
					t.Fatal(err)
				}
			}, "invalid or revoked token"},
			{"expired", func(*testing.T, string) { e.clock.Advance(identity.DefaultSessionTTL + time.Second) }, "token expired"},
			{"password changed", func(*testing.T, string) {
				if err := e.svc.SetPassword(ctx, "admin", "alice", "new password 1"); err != nil {
					t.Fatal(err)
				}
			}, "invalid or revoked token"},
			{"user disabled", func(*testing.T, string) {
				if err := e.svc.SetDisabled(ctx, "admin", "alice", true); err != nil {
					t.Fatal(err)
				}
			}, "invalid or revoked token"},
			{"garbage", func(*testing.T, string) {}, "invalid or revoked token"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_ = e.svc.SetDisabled(ctx, "admin", "alice", false)
				_ = e.svc.SetPassword(ctx, "admin", "alice", goodPW)
				tok := e.login(t, "alice", goodPW)
				if _, err := e.svc.Authenticate(ctx, tok); err != nil {
					t.Fatal(err)
				}
				c.act(t, tok)
				if c.name == "garbage" {
					tok = "gds_nothing"
				}
				_, err := e.svc.Authenticate(ctx, tok)
				wantErr(t, err, apierr.Unauthenticated, c.msg)
			})
		}
	})
}

// TestRevocationReachesOtherReplicas runs two services on one bus: a logout on
// one empties the other's cache through the revocation event.
func TestRevocationReachesOtherReplicas(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		other := identity.New(s, e.log, e.bus, identity.Options{Now: e.clock.Now})
		e.user(t, "alice", goodPW)
		tok := e.login(t, "alice", goodPW)
		if _, err := other.Authenticate(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Logout(ctx, tok); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(time.Second)
		for {
			if _, err := other.Authenticate(ctx, tok); err != nil {
				wantErr(t, err, apierr.Unauthenticated, "invalid or revoked token")
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the other replica still accepts the revoked session after 1s")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		alice, bob := e.user(t, "alice", goodPW), e.user(t, "bob", goodPW)
		if _, _, err := e.svc.Bootstrap(ctx, "admin password"); err != nil {
			t.Fatal(err)
		}
		admin, _ := e.svc.GetUser(ctx, identity.AdminUsername)
		in := identity.TokenInput{Name: "etl", Tenant: "230102", Scopes: []string{"resources:read", "audit:read"}, TTL: time.Hour}
		plain, tok, err := e.svc.CreateToken(ctx, "alice", alice.ID, in)
		if err != nil || tok.ExpiresAt == nil || tok.UserID != alice.ID {
			t.Fatalf("create = %+v %v", tok, err)
		}
		p, err := e.svc.Authenticate(ctx, plain)
		if err != nil || p.TokenID != tok.ID || p.TokenTenant != "230102" || len(p.TokenScopes) != 2 ||
			p.TokenScopes[1] != "audit:read" || p.Username != "alice" || p.SessionID != 0 {
			t.Fatalf("principal = %+v %v", p, err)
		}
		wantErr(t, e.svc.RevokeToken(ctx, "bob", bob.ID, tok.ID, nil), apierr.Forbidden, "")
		wantErr(t, e.svc.RevokeToken(ctx, "bob", bob.ID, tok.ID, func(t string) bool { return t == "230100" }), apierr.Forbidden, "may delete tokens at 230102")
		wantErr(t, e.svc.RevokeToken(ctx, "alice", alice.ID, 9999, nil), apierr.NotFound, "")
		if err := e.svc.RevokeToken(ctx, "alice", alice.ID, tok.ID, nil); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RevokeToken(ctx, "alice", alice.ID, tok.ID, nil); err != nil {
			t.Fatalf("second revoke: %v", err)
		}
		_, err = e.svc.Authenticate(ctx, plain)
		wantErr(t, err, apierr.Unauthenticated, "invalid or revoked token")

		plain2, tok2, err := e.svc.CreateToken(ctx, "alice", alice.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RevokeToken(ctx, "admin", admin.ID, tok2.ID, func(t string) bool { return t == "230102" }); err != nil {
			t.Fatalf("revoke by whoever may delete tokens at 230102: %v", err)
		}
		wantErr(t, authErr(e, plain2), apierr.Unauthenticated, "revoked")

		plain3, _, err := e.svc.CreateToken(ctx, "alice", alice.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		wantErr(t, authErr(e, plain3), apierr.Unauthenticated, "token expired")

		list, err := e.svc.ListTokens(ctx, alice.ID)
		if err != nil || len(list) != 3 || list[0].RevokedAt == nil || list[0].LastUsedAt == nil || list[2].RevokedAt != nil {
			t.Fatalf("list = %+v %v", list, err)
		}
		_, _, err = e.svc.CreateToken(ctx, "alice", alice.ID, identity.TokenInput{TTL: -1})
		if ae, ok := apierr.As(err); !ok || len(ae.Fields) != 2 {
			t.Fatalf("invalid token input = %v", err)
		}
	})
}

func authErr(e *env, tok string) error {
	_, err := e.svc.Authenticate(ctx, tok)
	return err
}

func BenchmarkAuthenticateWarm(b *testing.B) {
	e := newEnv(b, storetest.SQLite(b))
	e.user(b, "alice", goodPW)
	tok := e.login(b, "alice", goodPW)
	svc := identity.New(e.st, e.log, e.bus, identity.Options{}) // the real clock: the test clock has a mutex
	if _, err := svc.Authenticate(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.Authenticate(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}
