package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/session"
	"github.com/gdbos/gdbos/core/store/ent/user"
)

// AdminUsername is the superadmin Bootstrap creates.
const AdminUsername = "admin"

// systemActor is the audit actor of changes nobody asked for.
const systemActor = "system"

func errBadCredentials() error {
	return apierr.New(apierr.Unauthenticated, "invalid username or password")
}

// Bootstrap creates the superadmin "admin" when it does not exist yet, with
// password or, when password is empty, a generated one returned for printing once.
// It does nothing when admin exists.
func (s *Service) Bootstrap(ctx context.Context, password string) (generated string, created bool, err error) {
	exists, err := s.st.Client.User.Query().Where(user.Username(AdminUsername)).Exist(ctx)
	if err != nil || exists {
		return "", false, wrapInternal("bootstrap", err)
	}
	pw := password
	if pw == "" {
		if pw, err = generatePassword(); err != nil {
			return "", false, err
		}
	}
	if len(pw) < MinPasswordLength {
		return "", false, apierr.New(apierr.ValidationFailed, "the admin password must have at least %d characters", MinPasswordLength)
	}
	_, err = s.createUser(ctx, systemActor, UserInput{Username: AdminUsername, DisplayName: "Administrator", Password: pw}, true)
	if apierr.CodeOf(err) == apierr.Conflict {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if password == "" {
		generated = pw
	}
	return generated, true, nil
}

// Login checks a username and password and opens a session. Unknown users, wrong
// passwords and disabled accounts get the same error after the same work.
func (s *Service) Login(ctx context.Context, username, password, ip string) (token string, expiresAt time.Time, u User, err error) {
	now := s.now()
	if err := s.limiter.allow(username, ip, now); err != nil {
		s.auditLogin(ctx, username, ip, audit.OutcomeDenied, "rate limited")
		return "", time.Time{}, User{}, err
	}
	row, reason, err := s.checkCredentials(ctx, username, password)
	if err != nil {
		return "", time.Time{}, User{}, err
	}
	if reason != "" {
		s.limiter.fail(username, ip, now)
		s.auditLogin(ctx, username, ip, audit.OutcomeFailed, reason)
		return "", time.Time{}, User{}, errBadCredentials()
	}
	s.limiter.succeed(username)
	token, hash, err := newToken(SessionPrefix)
	if err != nil {
		return "", time.Time{}, User{}, err
	}
	expiresAt = now.Add(s.opts.SessionTTL)
	err = s.write(ctx, func(tx *ent.Tx) (change, error) {
		sess, err := tx.Session.Create().SetTokenHash(hash).SetUserID(row.ID).SetIP(ip).
			SetCreatedAt(now).SetExpiresAt(expiresAt).Save(ctx)
		if err != nil {
			return change{}, fmt.Errorf("identity: create session: %w", err)
		}
		return change{actor: username, action: "login", tenant: row.HomeTenant, target: username,
			detail: map[string]any{"ip": ip, "session": sess.ID}, topic: TopicSessionCreated,
			payload: map[string]any{"user_id": row.ID, "session_id": sess.ID}}, nil
	})
	if err != nil {
		return "", time.Time{}, User{}, err
	}
	return token, expiresAt, userOf(row), nil
}

// checkCredentials returns the user, or why the sign-in fails ("" when it does not).
func (s *Service) checkCredentials(ctx context.Context, username, password string) (*ent.User, string, error) {
	row, err := s.st.Client.User.Query().Where(user.Username(username)).Only(ctx)
	if ent.IsNotFound(err) {
		_, _ = checkPassword(s.dummy(), password)
		return nil, "unknown user", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("identity: login: %w", err)
	}
	ok, err := checkPassword(row.PasswordHash, password)
	switch {
	case err != nil:
		return nil, "unusable password hash", nil
	case !ok:
		return nil, "wrong password", nil
	case row.Disabled:
		return nil, "account disabled", nil
	}
	return row, "", nil
}

// auditLogin records a refused sign-in. The attempted username is the target;
// the password never appears. An audit failure must not reveal more to the caller.
func (s *Service) auditLogin(ctx context.Context, username, ip, outcome, reason string) {
	_ = s.recordFailure(ctx, audit.Entry{Actor: username, Action: "login", Target: username, Outcome: outcome,
		Detail: map[string]any{"ip": ip, "reason": reason}})
}

// Logout revokes the session bearer names.
func (s *Service) Logout(ctx context.Context, bearer string) error {
	p, err := s.Authenticate(ctx, bearer)
	if err != nil {
		return err
	}
	if p.SessionID == 0 {
		return apierr.New(apierr.BadRequest, "not a session token")
	}
	hash := HashToken(trimBearer(bearer))
	err = s.write(ctx, func(tx *ent.Tx) (change, error) {
		n, err := tx.Session.Update().Where(session.ID(p.SessionID), session.RevokedAtIsNil()).
			SetRevokedAt(s.now()).Save(ctx)
		if err != nil {
			return change{}, fmt.Errorf("identity: logout: %w", err)
		}
		if n == 0 {
			return change{}, errInvalidToken()
		}
		return change{actor: p.Username, action: "logout", tenant: p.HomeTenant, target: p.Username,
			topic: TopicSessionRevoked, payload: revocation{UserID: p.UserID, TokenHashes: []string{hash}}}, nil
	})
	s.Forget(hash)
	return err
}

// wrapInternal wraps a database error of operation op; nil stays nil.
func wrapInternal(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("identity: %s: %w", op, err)
}
