package identity

import (
	"context"
	"fmt"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/membership"
	"github.com/gdbos/gdbos/core/store/ent/orgunit"
)

// SetDisplayName changes the name a user is shown by.
func (s *Service) SetDisplayName(ctx context.Context, actor, username, displayName string) (User, error) {
	if len([]rune(displayName)) > maxDisplayName {
		return User{}, apierr.Invalid("invalid user", []apierr.FieldError{{Path: "displayName",
			Message: fmt.Sprintf("must have at most %d characters", maxDisplayName)}})
	}
	var out User
	err := s.write(ctx, func(tx *ent.Tx) (change, error) {
		row, err := s.userRow(ctx, tx.Client(), username)
		if err != nil {
			return change{}, err
		}
		if row.DisplayName == displayName {
			out = userOf(row)
			return change{}, nil
		}
		row, err = row.Update().SetDisplayName(displayName).SetUpdatedAt(s.now()).Save(ctx)
		if err != nil {
			return change{}, fmt.Errorf("identity: set display name: %w", err)
		}
		out = userOf(row)
		return change{actor: actor, action: "user.update", tenant: row.HomeTenant, target: username,
			detail: map[string]any{"displayName": displayName}, topic: TopicUserUpdated,
			payload: map[string]any{"username": username}}, nil
	})
	return out, err
}

// OrgUnitUpdate renames an org unit or moves it under another unit of the same
// tenant; nil fields stay as they are, and an empty ParentCode makes it top-level.
type OrgUnitUpdate struct {
	Name       *string
	ParentCode *string
}

// UpdateOrgUnit renames or moves an org unit. A unit cannot move under itself or
// under one of its own descendants.
func (s *Service) UpdateOrgUnit(ctx context.Context, actor, tenant, code string, in OrgUnitUpdate) (OrgUnit, error) {
	var l apierr.FieldList
	if in.Name != nil && (*in.Name == "" || len([]rune(*in.Name)) > maxUnitName) {
		l.Add("name", "must have 1 to %d characters", maxUnitName)
	}
	if in.ParentCode != nil && *in.ParentCode == code {
		l.Add("parent", "a unit cannot be its own parent")
	}
	if err := l.Err("invalid org unit"); err != nil {
		return OrgUnit{}, err
	}
	var out OrgUnit
	err := s.write(ctx, func(tx *ent.Tx) (change, error) {
		c := tx.Client()
		row, err := unitRow(ctx, c, tenant, code)
		if err != nil {
			return change{}, err
		}
		upd := row.Update()
		detail := map[string]any{}
		if in.Name != nil {
			upd.SetName(*in.Name)
			detail["name"] = *in.Name
		}
		parentCode := ""
		if row.ParentID != nil {
			parent, err := c.OrgUnit.Get(ctx, *row.ParentID)
			if err != nil {
				return change{}, fmt.Errorf("identity: get parent unit: %w", err)
			}
			parentCode = parent.Code
		}
		if in.ParentCode != nil {
			parentCode = *in.ParentCode
			detail["parent"] = parentCode
			if parentCode == "" {
				upd.ClearParentID()
			} else {
				parentID, err := s.newParent(ctx, c, row, parentCode)
				if err != nil {
					return change{}, err
				}
				upd.SetParentID(parentID)
			}
		}
		if row, err = upd.Save(ctx); err != nil {
			return change{}, fmt.Errorf("identity: update org unit: %w", err)
		}
		out = OrgUnit{ID: row.ID, Tenant: row.Tenant, Code: row.Code, Name: row.Name, Kind: row.Kind, ParentCode: parentCode}
		return change{actor: actor, action: "orgunit.update", tenant: tenant, target: code, detail: detail,
			topic: TopicOrgUnitUpdated, payload: out}, nil
	})
	return out, err
}

// newParent finds the unit row is to move under, refusing a cycle.
func (s *Service) newParent(ctx context.Context, c *ent.Client, row *ent.OrgUnit, parentCode string) (int, error) {
	parent, err := unitRow(ctx, c, row.Tenant, parentCode)
	if apierr.CodeOf(err) == apierr.NotFound {
		return 0, apierr.Invalid("invalid org unit", []apierr.FieldError{{Path: "parent",
			Message: fmt.Sprintf("no org unit %q in tenant %s", parentCode, row.Tenant)}})
	}
	if err != nil {
		return 0, err
	}
	units, err := c.OrgUnit.Query().Where(orgunit.Tenant(row.Tenant)).All(ctx)
	if err != nil {
		return 0, fmt.Errorf("identity: read org units: %w", err)
	}
	parentOf := make(map[int]int, len(units))
	for _, u := range units {
		if u.ParentID != nil {
			parentOf[u.ID] = *u.ParentID
		}
	}
	for id, steps := parent.ID, 0; id != 0 && steps <= len(units); id, steps = parentOf[id], steps+1 {
		if id == row.ID {
			return 0, apierr.Invalid("invalid org unit", []apierr.FieldError{{Path: "parent",
				Message: fmt.Sprintf("%s lies under %s: a unit cannot move under its own descendant", parentCode, row.Code)}})
		}
	}
	return parent.ID, nil
}

// RemoveMembership takes a user out of a tenant's org unit.
func (s *Service) RemoveMembership(ctx context.Context, actor, username, tenant, unitCode string) error {
	return s.write(ctx, func(tx *ent.Tx) (change, error) {
		u, unit, err := s.memberRows(ctx, tx.Client(), username, tenant, unitCode)
		if err != nil {
			return change{}, err
		}
		n, err := tx.Membership.Delete().Where(membership.UserID(u.ID), membership.OrgUnitID(unit.ID)).Exec(ctx)
		if err != nil {
			return change{}, fmt.Errorf("identity: remove membership: %w", err)
		}
		if n == 0 {
			return change{}, apierr.New(apierr.NotFound, "%s is not a member of %s in tenant %s", username, unitCode, tenant)
		}
		return change{actor: actor, action: "membership.remove", tenant: tenant, target: username,
			detail: map[string]any{"unit": unitCode}, topic: TopicMembershipRemove,
			payload: map[string]any{"username": username, "unit": unitCode}}, nil
	})
}
