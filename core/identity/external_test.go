package identity_test

import (
	"testing"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/identity"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/storetest"
)

func TestExternalIdentities(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		const idp = "230000/hlj"
		acct := identity.ExternalAccount{Provider: idp, Subject: "sub-1", Username: "zhangsan", DisplayName: "Zhang San",
			HomeTenant: "230100", Claims: map[string]any{"email": "z@gov.example"}}

		_, err := e.svc.ExternalUser(ctx, idp, "sub-1")
		wantErr(t, err, apierr.NotFound, "no user is linked")

		u, err := e.svc.ProvisionExternal(ctx, "system:oidc", acct)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.ExternalUser(ctx, idp, "sub-1"); err != nil || got.ID != u.ID {
			t.Fatalf("ExternalUser = %+v, %v", got, err)
		}
		_, _, _, err = e.svc.Login(ctx, "zhangsan", "", "10.0.0.1")
		wantErr(t, err, apierr.Unauthenticated, "invalid username or password")

		tok, _, got, err := e.svc.LoginExternal(ctx, acct, "10.0.0.2")
		if err != nil || got.ID != u.ID {
			t.Fatalf("LoginExternal = %+v, %v", got, err)
		}
		if p, err := e.svc.Authenticate(ctx, tok); err != nil || p.Username != "zhangsan" || p.SessionID == 0 {
			t.Fatalf("Authenticate = %+v, %v", p, err)
		}

		e.user(t, "lisi", "a long enough password")
		dup := acct
		dup.Subject, dup.Username = "sub-2", "lisi"
		_, err = e.svc.ProvisionExternal(ctx, "system:oidc", dup)
		wantErr(t, err, apierr.Conflict, `user "lisi" already exists and is not linked`)
		bad := acct
		bad.Subject, bad.Username = "sub-3", "Not Valid"
		_, err = e.svc.ProvisionExternal(ctx, "system:oidc", bad)
		wantErr(t, err, apierr.ValidationFailed, "username")

		if err := e.svc.LinkExternal(ctx, "admin", "lisi", idp, "sub-2"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.svc.LinkExternal(ctx, "admin", "zhangsan", idp, "sub-2"), apierr.Conflict, "already linked")
		if got, err := e.svc.ExternalUser(ctx, idp, "sub-2"); err != nil || got.Username != "lisi" {
			t.Fatalf("linked user = %+v, %v", got, err)
		}

		if err := e.svc.SetDisabled(ctx, "admin", "zhangsan", true); err != nil {
			t.Fatal(err)
		}
		_, _, _, err = e.svc.LoginExternal(ctx, acct, "10.0.0.2")
		wantErr(t, err, apierr.Unauthenticated, "disabled")
		if err := e.svc.RecordExternalRefusal(ctx, idp, "sub-1", "10.0.0.2", "account disabled"); err != nil {
			t.Fatal(err)
		}
	})
}
