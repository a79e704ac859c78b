package identity

import (
	"context"
	"fmt"
	"regexp"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/stdcode"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/predicate"
	"github.com/gdbos/gdbos/core/store/ent/session"
	"github.com/gdbos/gdbos/core/store/ent/user"
)

// Paging for ListUsers.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
	maxDisplayName  = 200
)

var usernameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,63}$`)

// CreateUser adds a user; every invalid field is reported at once, and an existing
// username is a CONFLICT.
func (s *Service) CreateUser(ctx context.Context, actor string, in UserInput) (User, error) {
	return s.createUser(ctx, actor, in, false)
}

func (s *Service) createUser(ctx context.Context, actor string, in UserInput, superadmin bool) (User, error) {
	homePath, err := s.validateUser(in)
	if err != nil {
		return User{}, err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	var out User
	err = s.write(ctx, func(tx *ent.Tx) (change, error) {
		now := s.now()
		row, err := tx.User.Create().SetUsername(in.Username).SetDisplayName(in.DisplayName).
			SetPasswordHash(hash).SetHomeTenant(in.HomeTenant).SetHomePath(homePath).
			SetPhone(in.Phone).SetIDNumber(in.IDNumber).SetSuperadmin(superadmin).
			SetCreatedAt(now).SetUpdatedAt(now).Save(ctx)
		if store.IsUniqueViolation(err) {
			return change{}, apierr.New(apierr.Conflict, "user %q already exists", in.Username)
		}
		if err != nil {
			return change{}, fmt.Errorf("identity: create user: %w", err)
		}
		out = userOf(row)
		return change{actor: actor, action: "user.create", tenant: in.HomeTenant, target: in.Username,
			detail: map[string]any{"superadmin": superadmin}, topic: TopicUserCreated,
			payload: map[string]any{"user_id": row.ID, "username": in.Username}}, nil
	})
	return out, err
}

// validateUser lists every problem of in and returns the home tenant's path.
func (s *Service) validateUser(in UserInput) (string, error) {
	var l apierr.FieldList
	if !usernameRE.MatchString(in.Username) {
		l.Add("username", "must be 2 to 64 characters: a lowercase letter, then lowercase letters, digits, '.', '_' or '-'")
	}
	checkPasswordRules(&l, "password", in.Password)
	if len([]rune(in.DisplayName)) > maxDisplayName {
		l.Add("displayName", "must have at most %d characters", maxDisplayName)
	}
	if in.Phone != "" {
		if err := stdcode.Mobile(in.Phone); err != nil {
			l.Add("phone", "%v", err)
		}
	}
	if in.IDNumber != "" {
		if err := stdcode.ResidentID(in.IDNumber); err != nil {
			l.Add("idNumber", "%v", err)
		}
	}
	path := ""
	if s.opts.TenantPath != nil && in.HomeTenant != "" {
		p, ok := s.opts.TenantPath(in.HomeTenant)
		if !ok {
			l.Add("homeTenant", "no tenant with code %q", in.HomeTenant)
		}
		path = p
	}
	return path, l.Err("invalid user")
}

func checkPasswordRules(l *apierr.FieldList, path, pw string) {
	switch {
	case len([]rune(pw)) < MinPasswordLength:
		l.Add(path, "must have at least %d characters", MinPasswordLength)
	case len(pw) > MaxPasswordLength:
		l.Add(path, "must have at most %d bytes", MaxPasswordLength)
	}
}

// GetUser returns a user by name.
func (s *Service) GetUser(ctx context.Context, username string) (User, error) {
	row, err := s.userRow(ctx, s.st.Client, username)
	if err != nil {
		return User{}, err
	}
	return userOf(row), nil
}

func (s *Service) userRow(ctx context.Context, c *ent.Client, username string) (*ent.User, error) {
	row, err := c.User.Query().Where(user.Username(username)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "no user %q", username)
	}
	if err != nil {
		return nil, fmt.Errorf("identity: get user: %w", err)
	}
	return row, nil
}

// ListUsers returns up to first users whose username or display name contains
// search (any case), in id order after afterID; total counts every match.
func (s *Service) ListUsers(ctx context.Context, search string, first int, afterID int) ([]User, bool, int, error) {
	return s.QueryUsers(ctx, UserQuery{Search: search, First: first, AfterID: afterID})
}

// UserColumns maps the logical fields of a user row, as row policies name them
// (input.row.path …), to the users table's columns.
var UserColumns = map[string]string{
	"tenant": user.FieldHomeTenant, "path": user.FieldHomePath, "username": user.FieldUsername,
	"disabled": user.FieldDisabled, "superadmin": user.FieldSuperadmin,
}

// UserNotNull names the fields of UserColumns whose columns never hold NULL: all of
// them, as the schema declares none optional.
var UserNotNull = map[string]bool{"tenant": true, "path": true, "username": true, "disabled": true, "superadmin": true}

// UserQuery selects users. Where restricts the rows in SQL (authorization's row
// filters); the count and the page both honour it.
type UserQuery struct {
	Search  string
	First   int
	AfterID int
	Where   []func(*entsql.Selector)
	// SkipCount leaves the total at -1 instead of counting every matching row.
	SkipCount bool
}

// QueryUsers lists users by ID, restricted in SQL by q.Where.
func (s *Service) QueryUsers(ctx context.Context, uq UserQuery) ([]User, bool, int, error) {
	first, afterID := uq.First, uq.AfterID
	if first <= 0 {
		first = DefaultPageSize
	}
	first = min(first, MaxPageSize)
	q := s.st.Client.User.Query()
	if uq.Search != "" {
		q = q.Where(user.Or(user.UsernameContainsFold(uq.Search), user.DisplayNameContainsFold(uq.Search)))
	}
	for _, w := range uq.Where {
		q = q.Where(predicate.User(w))
	}
	total := -1
	if !uq.SkipCount {
		// COUNT(*), not ent's COUNT(id): SQLite answers it from the b-tree's page
		// counts when nothing is filtered, and PostgreSQL from any covering index.
		n, err := q.Clone().Aggregate(ent.Count()).Int(ctx)
		if err != nil {
			return nil, false, 0, fmt.Errorf("identity: count users: %w", err)
		}
		total = n
	}
	rows, err := q.Where(user.IDGT(afterID)).Order(ent.Asc(user.FieldID)).Limit(first + 1).All(ctx)
	if err != nil {
		return nil, false, 0, fmt.Errorf("identity: list users: %w", err)
	}
	hasNext := len(rows) > first
	if hasNext {
		rows = rows[:first]
	}
	users := make([]User, len(rows))
	for i, r := range rows {
		users[i] = userOf(r)
	}
	return users, hasNext, total, nil
}

// SetPassword replaces a user's password and signs them out everywhere.
func (s *Service) SetPassword(ctx context.Context, actor, username, password string) error {
	var l apierr.FieldList
	checkPasswordRules(&l, "password", password)
	if err := l.Err("invalid password"); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	var revoked []string
	err = s.write(ctx, func(tx *ent.Tx) (change, error) {
		row, err := s.userRow(ctx, tx.Client(), username)
		if err != nil {
			return change{}, err
		}
		if err := row.Update().SetPasswordHash(hash).SetUpdatedAt(s.now()).Exec(ctx); err != nil {
			return change{}, fmt.Errorf("identity: set password: %w", err)
		}
		if revoked, err = s.revokeSessions(ctx, tx, row.ID); err != nil {
			return change{}, err
		}
		topic := TopicSessionRevoked
		if len(revoked) == 0 {
			topic = TopicUserUpdated
		}
		return change{actor: actor, action: "user.set_password", tenant: row.HomeTenant, target: username,
			detail: map[string]any{"sessions_revoked": len(revoked)}, topic: topic,
			payload: revocation{UserID: row.ID, TokenHashes: revoked}}, nil
	})
	for _, h := range revoked {
		s.Forget(h)
	}
	return err
}

// revokeSessions revokes a user's live sessions and returns their token hashes.
func (s *Service) revokeSessions(ctx context.Context, tx *ent.Tx, userID int) ([]string, error) {
	live := []predicate.Session{session.UserID(userID), session.RevokedAtIsNil()}
	hashes, err := tx.Session.Query().Where(live...).Select(session.FieldTokenHash).Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("identity: find sessions: %w", err)
	}
	if err := tx.Session.Update().Where(live...).SetRevokedAt(s.now()).Exec(ctx); err != nil {
		return nil, fmt.Errorf("identity: revoke sessions: %w", err)
	}
	return hashes, nil
}

// SetDisabled disables or re-enables a user; a disabled user's sessions and
// tokens stop working on every replica.
func (s *Service) SetDisabled(ctx context.Context, actor, username string, disabled bool) error {
	action, topic := "user.enable", TopicUserUpdated
	if disabled {
		action, topic = "user.disable", TopicUserDisabled
	}
	var userID int
	err := s.write(ctx, func(tx *ent.Tx) (change, error) {
		row, err := s.userRow(ctx, tx.Client(), username)
		if err != nil {
			return change{}, err
		}
		userID = row.ID
		if err := row.Update().SetDisabled(disabled).SetUpdatedAt(s.now()).Exec(ctx); err != nil {
			return change{}, fmt.Errorf("identity: %s: %w", action, err)
		}
		return change{actor: actor, action: action, tenant: row.HomeTenant, target: username,
			topic: topic, payload: revocation{UserID: row.ID}}, nil
	})
	if err == nil && disabled {
		s.cache.forgetUser(userID)
	}
	return err
}
