package tenant

import (
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"

	"github.com/gdbos/gdbos/core/division"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/schemas"
)

// demoTable is the embedded code table LoadDemo reads.
const demoTable = "codetables/divisions-heilongjiang.csv"

// LoadDemo fills an empty tenant table with the embedded Heilongjiang divisions in
// one transaction and returns how many it created; on a table that has any tenant it
// does nothing and returns 0.
func (s *Service) LoadDemo(ctx context.Context, actor string) (int, error) {
	ts, err := demoTenants()
	if err != nil {
		return 0, err
	}
	created := 0
	err = s.st.Tx(ctx, func(tx *ent.Tx) error {
		n, err := tx.Tenant.Query().Count(ctx)
		if err != nil {
			return fmt.Errorf("tenant: count: %w", err)
		}
		if n > 0 {
			return nil
		}
		created = len(ts)
		return s.insertAll(withActor(ctx, actor), tx, ts)
	})
	if err != nil {
		return 0, err
	}
	if created > 0 {
		if err := s.Reload(ctx); err != nil {
			return created, err
		}
	}
	return created, nil
}

func (s *Service) insertAll(ctx context.Context, tx *ent.Tx, ts []Tenant) error {
	builders := make([]*ent.TenantCreate, len(ts))
	for i, t := range ts {
		builders[i] = createBuilder(tx, t)
	}
	if err := tx.Tenant.CreateBulk(builders...).Exec(ctx); err != nil {
		return fmt.Errorf("tenant: insert demo tenants: %w", err)
	}
	for _, t := range ts {
		if err := s.notify(ctx, tx, TopicCreated, t); err != nil {
			return err
		}
	}
	return nil
}

// demoTenants reads the embedded table, checks each code against its stated level and
// parent, and returns the tenants parents first, with paths.
func demoTenants() ([]Tenant, error) {
	f, err := schemas.FS.Open(demoTable)
	if err != nil {
		return nil, fmt.Errorf("tenant: demo table: %w", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("tenant: demo table: %w", err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "code,name,level,parent" {
		return nil, fmt.Errorf("tenant: demo table: header must be code,name,level,parent")
	}
	ts := make([]Tenant, 0, len(rows)-1)
	for _, r := range rows[1:] {
		t, err := demoRow(r)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return withPaths(ts)
}

func demoRow(r []string) (Tenant, error) {
	level, err := division.Parse(r[0])
	if err != nil {
		return Tenant{}, fmt.Errorf("tenant: demo table: %w", err)
	}
	if string(level) != r[2] {
		return Tenant{}, fmt.Errorf("tenant: demo table: %s is a %s, not a %s", r[0], level, r[2])
	}
	return Tenant{Code: r[0], Name: r[1], Level: level, Parent: r[3], Status: StatusActive}, nil
}

func withPaths(ts []Tenant) ([]Tenant, error) {
	slices.SortStableFunc(ts, func(a, b Tenant) int { return a.Level.Rank() - b.Level.Rank() })
	paths := make(map[string]string, len(ts))
	for i := range ts {
		t := &ts[i]
		if t.Parent == "" {
			t.Path = "/" + t.Code + "/"
		} else if pp, ok := paths[t.Parent]; ok {
			t.Path = pp + t.Code + "/"
		} else {
			return nil, fmt.Errorf("tenant: demo table: parent %s of %s is not listed", t.Parent, t.Code)
		}
		paths[t.Code] = t.Path
	}
	return ts, nil
}
