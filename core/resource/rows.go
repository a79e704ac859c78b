package resource

import (
	"context"
	"fmt"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/store/ent"
	entresource "github.com/gdbos/gdbos/core/store/ent/resource"
	"github.com/gdbos/gdbos/core/store/ent/resourceversion"
)

func objectFromRow(r *ent.Resource) (Object, error) {
	spec, err := canonical(r.Spec)
	if err != nil {
		return Object{}, err
	}
	return Object{
		APIVersion: r.APIVersion,
		Kind:       r.Kind,
		Metadata: Metadata{
			Tenant:    r.Tenant,
			Name:      r.Name,
			Labels:    normalizeLabels(r.Labels),
			Version:   r.Version,
			UpdatedAt: r.UpdatedAt.UTC(),
			UpdatedBy: r.UpdatedBy,
		},
		Spec:  spec,
		Locks: normalizeLocks(r.Locks),
	}, nil
}

func versionFromRow(r *ent.ResourceVersion) (Version, error) {
	spec, err := canonical(r.Spec)
	if err != nil {
		return Version{}, err
	}
	return Version{
		Version: r.Version,
		Op:      r.Op,
		Object: Object{
			APIVersion: r.APIVersion,
			Kind:       r.Kind,
			Metadata: Metadata{
				Tenant:    r.Tenant,
				Name:      r.Name,
				Labels:    normalizeLabels(r.Labels),
				Version:   r.Version,
				UpdatedAt: r.CreatedAt.UTC(),
				UpdatedBy: r.Author,
			},
			Spec:  spec,
			Locks: normalizeLocks(r.Locks),
		},
		Author:    r.Author,
		CreatedAt: r.CreatedAt.UTC(),
		Deleted:   r.Deleted,
	}, nil
}

func notFound(kind, tenant, name string) *apierr.Error {
	e := apierr.New(apierr.NotFound, "%s %q not found at tenant %s", kind, name, tenant)
	e.Details = map[string]any{"kind": kind, "tenant": tenant, "name": name}
	return e
}

// resolve looks up the kind and the tenant's lineage.
func (s *Service) resolve(kind, tenant string) (*kindEntry, []string, error) {
	k, ok := s.kind(kind)
	if !ok {
		return nil, nil, apierr.New(apierr.BadRequest, "unknown kind %q", kind)
	}
	lineage, ok := s.tenants.LineageCodes(tenant)
	if !ok || len(lineage) == 0 {
		return nil, nil, apierr.New(apierr.NotFound, "tenant %q does not exist", tenant)
	}
	return k, lineage, nil
}

// row reads the stored row of (kind, tenant, name), deleted or not; nil if none.
func row(ctx context.Context, c *ent.Client, kind, tenant, name string) (*ent.Resource, error) {
	r, err := c.Resource.Query().
		Where(entresource.KindEQ(kind), entresource.TenantEQ(tenant), entresource.NameEQ(name)).
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resource: read %s %s/%s: %w", kind, tenant, name, err)
	}
	return r, nil
}

// Get returns the layer stored at tenant for (kind, name).
func (s *Service) Get(ctx context.Context, kind, tenant, name string) (Object, error) {
	if _, _, err := s.resolve(kind, tenant); err != nil {
		return Object{}, err
	}
	r, err := row(ctx, s.clientFor(ctx), kind, tenant, name)
	if err != nil {
		return Object{}, err
	}
	if r == nil || r.Deleted {
		return Object{}, notFound(kind, tenant, name)
	}
	return objectFromRow(r)
}

func (s *Service) version(ctx context.Context, kind, tenant, name string, v int) (*ent.ResourceVersion, error) {
	r, err := s.st.Client.ResourceVersion.Query().
		Where(resourceversion.KindEQ(kind), resourceversion.TenantEQ(tenant),
			resourceversion.NameEQ(name), resourceversion.VersionEQ(v)).
		Only(ctx)
	if ent.IsNotFound(err) {
		e := apierr.New(apierr.NotFound, "%s %q at tenant %s has no version %d", kind, name, tenant, v)
		return nil, e
	}
	if err != nil {
		return nil, fmt.Errorf("resource: read version %d of %s %s/%s: %w", v, kind, tenant, name, err)
	}
	return r, nil
}
