package identity

import (
	"context"
	"fmt"
	"regexp"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/membership"
	"github.com/gdbos/gdbos/core/store/ent/orgunit"
)

var unitCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

const maxUnitName = 200

// CreateOrgUnit adds a department, street or office to a tenant, under ParentCode
// when set (the parent must belong to the same tenant).
func (s *Service) CreateOrgUnit(ctx context.Context, actor string, in OrgUnitInput) (OrgUnit, error) {
	if in.Kind == "" {
		in.Kind = KindDepartment
	}
	if err := validateOrgUnit(in); err != nil {
		return OrgUnit{}, err
	}
	var out OrgUnit
	err := s.write(ctx, func(tx *ent.Tx) (change, error) {
		c := tx.OrgUnit.Create().SetTenant(in.Tenant).SetCode(in.Code).SetName(in.Name).SetKind(in.Kind).
			SetCreatedAt(s.now())
		if in.ParentCode != "" {
			parent, err := unitRow(ctx, tx.Client(), in.Tenant, in.ParentCode)
			if apierr.CodeOf(err) == apierr.NotFound {
				return change{}, apierr.Invalid("invalid org unit", []apierr.FieldError{{Path: "parentCode",
					Message: fmt.Sprintf("no org unit %q in tenant %s", in.ParentCode, in.Tenant)}})
			}
			if err != nil {
				return change{}, err
			}
			c.SetParentID(parent.ID)
		}
		row, err := c.Save(ctx)
		if store.IsUniqueViolation(err) {
			return change{}, apierr.New(apierr.Conflict, "org unit %q already exists in tenant %s", in.Code, in.Tenant)
		}
		if err != nil {
			return change{}, fmt.Errorf("identity: create org unit: %w", err)
		}
		out = OrgUnit{ID: row.ID, Tenant: in.Tenant, Code: in.Code, Name: in.Name, Kind: in.Kind, ParentCode: in.ParentCode}
		return change{actor: actor, action: "orgunit.create", tenant: in.Tenant, target: in.Code,
			detail: map[string]any{"name": in.Name, "kind": in.Kind, "parent": in.ParentCode},
			topic:  TopicOrgUnitCreated, payload: out}, nil
	})
	return out, err
}

func validateOrgUnit(in OrgUnitInput) error {
	var l apierr.FieldList
	if in.Tenant == "" {
		l.Add("tenant", "is required")
	}
	if !unitCodeRE.MatchString(in.Code) {
		l.Add("code", "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if in.Name == "" || len([]rune(in.Name)) > maxUnitName {
		l.Add("name", "must have 1 to %d characters", maxUnitName)
	}
	switch in.Kind {
	case KindDepartment, KindStreet, KindOffice:
	default:
		l.Add("kind", "must be %s, %s or %s", KindDepartment, KindStreet, KindOffice)
	}
	if in.ParentCode == in.Code && in.Code != "" {
		l.Add("parentCode", "a unit cannot be its own parent")
	}
	return l.Err("invalid org unit")
}

func unitRow(ctx context.Context, c *ent.Client, tenant, code string) (*ent.OrgUnit, error) {
	row, err := c.OrgUnit.Query().Where(orgunit.Tenant(tenant), orgunit.Code(code)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apierr.New(apierr.NotFound, "no org unit %q in tenant %s", code, tenant)
	}
	if err != nil {
		return nil, fmt.Errorf("identity: get org unit: %w", err)
	}
	return row, nil
}

// ListOrgUnits returns a tenant's org units ordered by code.
func (s *Service) ListOrgUnits(ctx context.Context, tenant string) ([]OrgUnit, error) {
	rows, err := s.st.Client.OrgUnit.Query().Where(orgunit.Tenant(tenant)).Order(ent.Asc(orgunit.FieldCode)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("identity: list org units: %w", err)
	}
	codes := make(map[int]string, len(rows))
	for _, r := range rows {
		codes[r.ID] = r.Code
	}
	units := make([]OrgUnit, len(rows))
	for i, r := range rows {
		units[i] = OrgUnit{ID: r.ID, Tenant: r.Tenant, Code: r.Code, Name: r.Name, Kind: r.Kind}
		if r.ParentID != nil {
			units[i].ParentCode = codes[*r.ParentID]
		}
	}
	return units, nil
}

// memberRows reads the user and the tenant's org unit of a membership.
func (s *Service) memberRows(ctx context.Context, c *ent.Client, username, tenant, unitCode string) (*ent.User, *ent.OrgUnit, error) {
	u, err := s.userRow(ctx, c, username)
	if err != nil {
		return nil, nil, err
	}
	unit, err := unitRow(ctx, c, tenant, unitCode)
	if err != nil {
		return nil, nil, err
	}
	return u, unit, nil
}

// AddMembership places a user in a tenant's org unit with a title.
func (s *Service) AddMembership(ctx context.Context, actor, username, tenant, unitCode, title string) error {
	return s.write(ctx, func(tx *ent.Tx) (change, error) {
		u, unit, err := s.memberRows(ctx, tx.Client(), username, tenant, unitCode)
		if err != nil {
			return change{}, err
		}
		err = tx.Membership.Create().SetUserID(u.ID).SetOrgUnitID(unit.ID).SetTitle(title).
			SetCreatedAt(s.now()).Exec(ctx)
		if store.IsUniqueViolation(err) {
			return change{}, apierr.New(apierr.Conflict, "%s is already a member of %s", username, unitCode)
		}
		if err != nil {
			return change{}, fmt.Errorf("identity: add membership: %w", err)
		}
		return change{actor: actor, action: "membership.add", tenant: tenant, target: username,
			detail: map[string]any{"unit": unitCode, "title": title}, topic: TopicMembershipAdd,
			payload: map[string]any{"username": username, "unit": unitCode, "title": title}}, nil
	})
}

// Memberships lists the org units a user belongs to.
func (s *Service) Memberships(ctx context.Context, username string) ([]Membership, error) {
	u, err := s.userRow(ctx, s.st.Client, username)
	if err != nil {
		return nil, err
	}
	ms, err := s.st.Client.Membership.Query().Where(membership.UserID(u.ID)).Order(ent.Asc(membership.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("identity: memberships: %w", err)
	}
	ids := make([]int, len(ms))
	for i, m := range ms {
		ids[i] = m.OrgUnitID
	}
	units, err := s.st.Client.OrgUnit.Query().Where(orgunit.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("identity: membership units: %w", err)
	}
	byID := make(map[int]*ent.OrgUnit, len(units))
	for _, u := range units {
		byID[u.ID] = u
	}
	out := make([]Membership, 0, len(ms))
	for _, m := range ms {
		if unit := byID[m.OrgUnitID]; unit != nil {
			out = append(out, Membership{Tenant: unit.Tenant, UnitCode: unit.Code, UnitName: unit.Name, Title: m.Title})
		}
	}
	return out, nil
}
