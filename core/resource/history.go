package resource

import (
	"context"
	"fmt"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store/ent"
	"github.com/gdbos/gdbos/core/store/ent/resourceversion"
)

// History returns up to first versions (newest first) older than beforeVersion
// (0: from the newest), and whether older ones remain.
func (s *Service) History(ctx context.Context, kind, tenant, name string, first, beforeVersion int) ([]Version, bool, error) {
	if _, _, err := s.resolve(kind, tenant); err != nil {
		return nil, false, err
	}
	if first <= 0 || first > 1000 {
		first = 100
	}
	q := s.st.Client.ResourceVersion.Query().
		Where(resourceversion.KindEQ(kind), resourceversion.TenantEQ(tenant), resourceversion.NameEQ(name))
	if beforeVersion > 0 {
		q = q.Where(resourceversion.VersionLT(beforeVersion))
	}
	rows, err := q.Order(ent.Desc(resourceversion.FieldVersion)).Limit(first + 1).All(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("resource: history of %s %s/%s: %w", kind, tenant, name, err)
	}
	if len(rows) == 0 && beforeVersion <= 0 {
		return nil, false, notFound(kind, tenant, name)
	}
	more := len(rows) > first
	if more {
		rows = rows[:first]
	}
	out := make([]Version, 0, len(rows))
	for _, r := range rows {
		v, err := versionFromRow(r)
		if err != nil {
			return nil, false, err
		}
		out = append(out, v)
	}
	return out, more, nil
}

// Diff compares two versions of an object; version 0 stands for "nothing".
func (s *Service) Diff(ctx context.Context, kind, tenant, name string, from, to int) ([]DiffEntry, error) {
	if _, _, err := s.resolve(kind, tenant); err != nil {
		return nil, err
	}
	a, err := s.versionObject(ctx, kind, tenant, name, from)
	if err != nil {
		return nil, err
	}
	b, err := s.versionObject(ctx, kind, tenant, name, to)
	if err != nil {
		return nil, err
	}
	return DiffObjects(a, b), nil
}

// versionObject returns the object as of version v; nil for 0 or a deletion.
func (s *Service) versionObject(ctx context.Context, kind, tenant, name string, v int) (*Object, error) {
	if v == 0 {
		return nil, nil
	}
	r, err := s.version(ctx, kind, tenant, name, v)
	if err != nil {
		return nil, err
	}
	ver, err := versionFromRow(r)
	if err != nil || ver.Deleted {
		return nil, err
	}
	return &ver.Object, nil
}

// Revert stores the labels, spec and locks of an earlier version as a new version
// (op "revert"), under the same validation and lock rules as Apply. Reverting to
// the content already stored changes nothing.
func (s *Service) Revert(ctx context.Context, actor, kind, tenant, name string, version int) (Object, error) {
	if _, _, err := s.resolve(kind, tenant); err != nil {
		return Object{}, err
	}
	r, err := s.version(ctx, kind, tenant, name, version)
	if err != nil {
		return Object{}, err
	}
	v, err := versionFromRow(r)
	if err != nil {
		return Object{}, err
	}
	if v.Deleted {
		return Object{}, apierr.New(apierr.BadRequest, "version %d of %s %q is a deletion; use delete instead", version, kind, name)
	}
	objs, err := s.prepare([]Object{v.Object})
	if err != nil {
		return Object{}, err
	}
	var res ApplyResult
	err = s.st.Tx(ctx, func(tx *ent.Tx) error {
		var changes []Change
		res, err = s.applyOne(ctx, tx, nil, actor, objs[0], OpRevert, &changes)
		if err != nil {
			return err
		}
		if err := s.notifyKinds(ctx, tx, changes); err != nil {
			return err
		}
		return s.checkEffective(ctx, tx, []ApplyResult{res}, nil)
	})
	if err != nil {
		return Object{}, err
	}
	s.invalidateResults([]ApplyResult{res})
	return res.Object, nil
}

// Delete removes the layer stored at tenant, keeping its history: a new version
// with op "delete". Applying the object again recreates it with the next version.
func (s *Service) Delete(ctx context.Context, actor, kind, tenant, name string) error {
	if _, _, err := s.resolve(kind, tenant); err != nil {
		return err
	}
	err := s.st.Tx(ctx, func(tx *ent.Tx) error {
		cur, err := row(ctx, tx.Client(), kind, tenant, name)
		if err != nil {
			return err
		}
		old, err := current(cur)
		if err != nil {
			return err
		}
		if old == nil {
			return notFound(kind, tenant, name)
		}
		stored, _, err := s.write(ctx, tx, cur, *old, OpDelete, true, actor, nil)
		if err != nil {
			return err
		}
		c := Change{Op: OpDelete, Object: stored, Old: old, Actor: actor}
		if err := s.notifyKinds(ctx, tx, []Change{c}); err != nil {
			return err
		}
		return s.notify(ctx, tx, c)
	})
	if err != nil {
		return err
	}
	s.Invalidate(kind, name)
	return nil
}
