package identity

import (
	"context"
	"fmt"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/apitoken"
)

const maxTokenName = 100

// CreateToken issues an API token for userID, limited to in.Tenant and in.Scopes;
// the caller checks that the tenant is within what the user may reach. The
// plaintext is returned once and never stored.
func (s *Service) CreateToken(ctx context.Context, actor string, userID int, in TokenInput) (string, APIToken, error) {
	var l apierr.FieldList
	if in.Name == "" || len([]rune(in.Name)) > maxTokenName {
		l.Add("name", "must have 1 to %d characters", maxTokenName)
	}
	if in.TTL < 0 {
		l.Add("ttl", "must not be negative")
	}
	if err := l.Err("invalid token"); err != nil {
		return "", APIToken{}, err
	}
	plain, hash, err := newToken(TokenPrefix)
	if err != nil {
		return "", APIToken{}, err
	}
	var out APIToken
	err = s.write(ctx, func(tx *ent.Tx) (change, error) {
		u, err := tx.User.Get(ctx, userID)
		if ent.IsNotFound(err) {
			return change{}, apierr.New(apierr.NotFound, "no user with id %d", userID)
		}
		if err != nil {
			return change{}, fmt.Errorf("identity: token holder: %w", err)
		}
		now := s.now()
		c := tx.APIToken.Create().SetName(in.Name).SetTokenHash(hash).SetUserID(userID).
			SetTenant(in.Tenant).SetScopes(in.Scopes).SetCreatedAt(now)
		if in.TTL > 0 {
			c.SetExpiresAt(now.Add(in.TTL))
		}
		row, err := c.Save(ctx)
		if err != nil {
			return change{}, fmt.Errorf("identity: create token: %w", err)
		}
		out = tokenOf(row)
		return change{actor: actor, action: "token.create", tenant: in.Tenant, target: u.Username,
			detail: map[string]any{"token": row.ID, "name": in.Name, "scopes": in.Scopes},
			topic:  TopicTokenCreated, payload: map[string]any{"user_id": userID, "token_id": row.ID}}, nil
	})
	if err != nil {
		return "", APIToken{}, err
	}
	return plain, out, nil
}

// ListTokens lists a user's API tokens, revoked and expired ones included.
func (s *Service) ListTokens(ctx context.Context, userID int) ([]APIToken, error) {
	rows, err := s.st.Client.APIToken.Query().Where(apitoken.UserID(userID)).Order(ent.Asc(apitoken.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("identity: list tokens: %w", err)
	}
	out := make([]APIToken, len(rows))
	for i, r := range rows {
		out[i] = tokenOf(r)
	}
	return out, nil
}

// RevokeToken revokes an API token on behalf of the user userID: their own token, or
// another's when mayRevokeOthers allows it at the token's tenant. Revoking twice is
// not an error.
func (s *Service) RevokeToken(ctx context.Context, actor string, userID, tokenID int, mayRevokeOthers func(tenant string) bool) error {
	var hash string
	err := s.write(ctx, func(tx *ent.Tx) (change, error) {
		row, err := revocableToken(ctx, tx, userID, tokenID, mayRevokeOthers)
		if err != nil || row.RevokedAt != nil {
			return change{}, err
		}
		hash = row.TokenHash
		if err := row.Update().SetRevokedAt(s.now()).Exec(ctx); err != nil {
			return change{}, fmt.Errorf("identity: revoke token: %w", err)
		}
		return change{actor: actor, action: "token.revoke", tenant: row.Tenant, target: fmt.Sprint(tokenID),
			detail: map[string]any{"owner": row.UserID, "name": row.Name}, topic: TopicTokenRevoked,
			payload: revocation{UserID: row.UserID, TokenHashes: []string{hash}}}, nil
	})
	if hash != "" {
		s.Forget(hash)
	}
	return err
}

func revocableToken(ctx context.Context, tx *ent.Tx, userID, tokenID int, mayRevokeOthers func(tenant string) bool) (*ent.APIToken, error) {
	row, err := tx.APIToken.Get(ctx, tokenID)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "no token with id %d", tokenID)
	}
	if err != nil {
		return nil, fmt.Errorf("identity: get token: %w", err)
	}
	if row.UserID == userID {
		return row, nil
	}
	at := row.Tenant // a token limited to a subtree; else its owner's home tenant
	if at == "" {
		owner, err := tx.User.Get(ctx, row.UserID)
		if err != nil && !ent.IsNotFound(err) {
			return nil, fmt.Errorf("identity: get token owner: %w", err)
		}
		if owner != nil {
			at = owner.HomeTenant
		}
	}
	if at != "" && mayRevokeOthers != nil && mayRevokeOthers(at) {
		return row, nil
	}
	return nil, apierr.New(apierr.Forbidden, "only the token's owner, or whoever may delete tokens at %s, may revoke it", at)
}
