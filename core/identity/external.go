package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/audit"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/externalidentity"
)

// TopicExternalLinked is the event of a user linked to an external identity.
const TopicExternalLinked = "identity.external.linked"

// ExternalAccount is a person as an external identity provider (OIDC) vouches
// for them.
type ExternalAccount struct {
	// Provider names the provider, "<tenant>/<name>" of its IdentityProvider resource.
	Provider string
	// Subject is the provider's stable identifier of the person (the sub claim).
	Subject string
	// Username, DisplayName and HomeTenant are what a provisioned user is created with.
	Username, DisplayName, HomeTenant string
	// Claims are the provider's claims, kept with the link for support and audit.
	Claims map[string]any
}

// ExternalUser returns the user linked to subject at provider; NOT_FOUND when
// there is none.
func (s *Service) ExternalUser(ctx context.Context, provider, subject string) (User, error) {
	link, err := s.externalLink(ctx, s.st.Client, provider, subject)
	if err != nil {
		return User{}, err
	}
	row, err := s.st.Client.User.Get(ctx, link.UserID)
	if err != nil {
		return User{}, wrapInternal("external user", err)
	}
	return userOf(row), nil
}

func (s *Service) externalLink(ctx context.Context, c *ent.Client, provider, subject string) (*ent.ExternalIdentity, error) {
	link, err := c.ExternalIdentity.Query().
		Where(externalidentity.Provider(provider), externalidentity.Subject(subject)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "no user is linked to subject %q at identity provider %s", subject, provider)
	}
	if err != nil {
		return nil, fmt.Errorf("identity: external identity: %w", err)
	}
	return link, nil
}

// LinkExternal links an existing user to subject at provider, so that signing in
// there signs in as that user. A subject is linked to one user at most (CONFLICT).
func (s *Service) LinkExternal(ctx context.Context, actor, username, provider, subject string) error {
	return s.write(ctx, func(tx *ent.Tx) (change, error) {
		row, err := s.userRow(ctx, tx.Client(), username)
		if err != nil {
			return change{}, err
		}
		if err := s.createLink(ctx, tx, row.ID, ExternalAccount{Provider: provider, Subject: subject}); err != nil {
			return change{}, err
		}
		return change{actor: actor, action: "user.link_external", tenant: row.HomeTenant, target: username,
			detail: map[string]any{"provider": provider, "subject": subject}, topic: TopicExternalLinked,
			payload: map[string]any{"user_id": row.ID, "provider": provider}}, nil
	})
}

func (s *Service) createLink(ctx context.Context, tx *ent.Tx, userID int, acct ExternalAccount) error {
	if acct.Provider == "" || acct.Subject == "" {
		return apierr.New(apierr.BadRequest, "an external identity needs a provider and a subject")
	}
	c := tx.ExternalIdentity.Create().SetProvider(acct.Provider).SetSubject(acct.Subject).
		SetUserID(userID).SetCreatedAt(s.now())
	if acct.Claims != nil {
		c.SetClaims(acct.Claims)
	}
	err := c.Exec(ctx)
	if store.IsUniqueViolation(err) {
		return apierr.New(apierr.Conflict, "subject %q at identity provider %s is already linked to a user", acct.Subject, acct.Provider)
	}
	if err != nil {
		return fmt.Errorf("identity: link external identity: %w", err)
	}
	return nil
}

// ProvisionExternal creates a user for acct, linked to it and without a
// password: they can sign in only through the provider. A username that is
// already taken is a CONFLICT, never a silent link to someone else's account.
func (s *Service) ProvisionExternal(ctx context.Context, actor string, acct ExternalAccount) (User, error) {
	homePath, err := s.validateExternal(acct)
	if err != nil {
		return User{}, err
	}
	var out User
	err = s.write(ctx, func(tx *ent.Tx) (change, error) {
		now := s.now()
		row, err := tx.User.Create().SetUsername(acct.Username).SetDisplayName(acct.DisplayName).
			SetHomeTenant(acct.HomeTenant).SetHomePath(homePath).SetCreatedAt(now).SetUpdatedAt(now).Save(ctx)
		if store.IsUniqueViolation(err) {
			return change{}, apierr.New(apierr.Conflict,
				"user %q already exists and is not linked to this identity provider account; an administrator must link it", acct.Username)
		}
		if err != nil {
			return change{}, fmt.Errorf("identity: provision user: %w", err)
		}
		if err := s.createLink(ctx, tx, row.ID, acct); err != nil {
			return change{}, err
		}
		out = userOf(row)
		return change{actor: actor, action: "user.create", tenant: acct.HomeTenant, target: acct.Username,
			detail: map[string]any{"provider": acct.Provider, "subject": acct.Subject}, topic: TopicUserCreated,
			payload: map[string]any{"user_id": row.ID, "username": acct.Username}}, nil
	})
	return out, err
}

func (s *Service) validateExternal(acct ExternalAccount) (string, error) {
	var l apierr.FieldList
	if !usernameRE.MatchString(acct.Username) {
		l.Add("username", "%q is not a valid username: 2 to 64 characters, a lowercase letter, then lowercase letters, digits, '.', '_' or '-'", acct.Username)
	}
	if len([]rune(acct.DisplayName)) > maxDisplayName {
		l.Add("displayName", "must have at most %d characters", maxDisplayName)
	}
	path := ""
	if s.opts.TenantPath != nil && acct.HomeTenant != "" {
		p, ok := s.opts.TenantPath(acct.HomeTenant)
		if !ok {
			l.Add("homeTenant", "no tenant with code %q", acct.HomeTenant)
		}
		path = p
	}
	return path, l.Err("cannot provision user")
}

// LoginExternal opens a session for the user linked to acct's subject at its
// provider, which has already vouched for the person. It refreshes the link's
// claims and last sign-in time. Disabled users are refused (UNAUTHENTICATED).
func (s *Service) LoginExternal(ctx context.Context, acct ExternalAccount, ip string) (token string, expiresAt time.Time, u User, err error) {
	token, hash, err := newToken(SessionPrefix)
	if err != nil {
		return "", time.Time{}, User{}, err
	}
	now := s.now()
	expiresAt = now.Add(s.opts.SessionTTL)
	err = s.write(ctx, func(tx *ent.Tx) (change, error) {
		link, err := s.externalLink(ctx, tx.Client(), acct.Provider, acct.Subject)
		if err != nil {
			return change{}, err
		}
		row, err := tx.User.Get(ctx, link.UserID)
		if err != nil {
			return change{}, wrapInternal("external login", err)
		}
		if row.Disabled {
			return change{}, apierr.New(apierr.Unauthenticated, "account %q is disabled", row.Username)
		}
		upd := link.Update().SetLastLoginAt(now)
		if acct.Claims != nil {
			upd.SetClaims(acct.Claims)
		}
		if err := upd.Exec(ctx); err != nil {
			return change{}, fmt.Errorf("identity: external login: %w", err)
		}
		sess, err := tx.Session.Create().SetTokenHash(hash).SetUserID(row.ID).SetIP(ip).
			SetCreatedAt(now).SetExpiresAt(expiresAt).Save(ctx)
		if err != nil {
			return change{}, fmt.Errorf("identity: create session: %w", err)
		}
		u = userOf(row)
		return change{actor: row.Username, action: "login", tenant: row.HomeTenant, target: row.Username,
			detail: map[string]any{"ip": ip, "session": sess.ID, "provider": acct.Provider, "subject": acct.Subject},
			topic:  TopicSessionCreated, payload: map[string]any{"user_id": row.ID, "session_id": sess.ID}}, nil
	})
	if err != nil {
		return "", time.Time{}, User{}, err
	}
	return token, expiresAt, u, nil
}

// RecordExternalRefusal audits a refused sign-in through provider. who is the
// subject or username the provider asserted, or "" when it asserted nobody.
func (s *Service) RecordExternalRefusal(ctx context.Context, provider, who, ip, reason string) error {
	actor := who
	if actor == "" {
		actor = "anonymous"
	}
	return s.recordFailure(ctx, audit.Entry{Actor: actor, Action: "login", Target: who, Outcome: audit.OutcomeDenied,
		Detail: map[string]any{"ip": ip, "provider": provider, "reason": reason}})
}
