package graph

import (
	"context"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
)

func (g *Graph) resourceTypes() (obj, version, diff, origin, effective, kind, applyResult *graphql.Object) {
	nn := graphql.NewNonNull
	str := graphql.String
	diff = graphql.NewObject(graphql.ObjectConfig{
		Name: "DiffEntry", Description: "One change between two versions, at a JSON pointer.",
		Fields: graphql.Fields{
			"op":   {Type: nn(str), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(resource.DiffEntry).Op, nil }},
			"path": {Type: nn(str), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(resource.DiffEntry).Path, nil }},
			"old":  {Type: jsonScalar, Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(resource.DiffEntry).Old, nil }},
			"new":  {Type: jsonScalar, Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(resource.DiffEntry).New, nil }},
		},
	})
	obj = graphql.NewObject(graphql.ObjectConfig{
		Name: "Resource", Description: "The layer one tenant defines for a configuration resource (kind, name).",
		Fields: graphql.Fields{
			"apiVersion": {Type: nn(str), Resolve: objField(func(o resource.Object) any { return o.APIVersion })},
			"kind":       {Type: nn(str), Resolve: objField(func(o resource.Object) any { return o.Kind })},
			"tenant":     {Type: nn(str), Resolve: objField(func(o resource.Object) any { return o.Metadata.Tenant })},
			"name":       {Type: nn(str), Resolve: objField(func(o resource.Object) any { return o.Metadata.Name })},
			"labels":     {Type: jsonScalar, Resolve: objField(func(o resource.Object) any { return o.Metadata.Labels })},
			"spec":       {Type: jsonScalar, Resolve: objField(func(o resource.Object) any { return o.Spec })},
			"locks":      {Type: nn(graphql.NewList(nn(str))), Resolve: objField(func(o resource.Object) any { return nonNilStrings(o.Locks) })},
			"version":    {Type: nn(graphql.Int), Resolve: objField(func(o resource.Object) any { return o.Metadata.Version })},
			"updatedBy":  {Type: str, Resolve: objField(func(o resource.Object) any { return nullable(o.Metadata.UpdatedBy) })},
			"updatedAt":  {Type: graphql.DateTime, Resolve: objField(func(o resource.Object) any { return timeOrNil(o.Metadata.UpdatedAt) })},
			"yaml": {Type: nn(str), Description: "The resource as YAML, ready for gdbos apply.", Resolve: g.resolver(func(p graphql.ResolveParams) (any, error) {
				b, err := resource.EncodeYAML([]resource.Object{p.Source.(resource.Object)})
				return string(b), err
			})},
		},
	})
	version = graphql.NewObject(graphql.ObjectConfig{
		Name: "ResourceVersion", Description: "One entry of a resource's history.",
		Fields: graphql.Fields{
			"version":   {Type: nn(graphql.Int), Resolve: verField(func(v resource.Version) any { return v.Version })},
			"op":        {Type: nn(str), Resolve: verField(func(v resource.Version) any { return v.Op })},
			"author":    {Type: str, Resolve: verField(func(v resource.Version) any { return v.Author })},
			"createdAt": {Type: graphql.DateTime, Resolve: verField(func(v resource.Version) any { return v.CreatedAt })},
			"deleted":   {Type: nn(graphql.Boolean), Resolve: verField(func(v resource.Version) any { return v.Deleted })},
			"resource":  {Type: nn(obj), Resolve: verField(func(v resource.Version) any { return v.Object })},
		},
	})
	shadow := graphql.NewObject(graphql.ObjectConfig{
		Name: "ShadowedValue", Description: "A descendant's override that an ancestor's lock makes ineffective.",
		Fields: graphql.Fields{
			"tenant": {Type: nn(str), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(resource.Layer).Tenant, nil }},
			"value":  {Type: jsonScalar, Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(resource.Layer).Value, nil }},
		},
	})
	origin = graphql.NewObject(graphql.ObjectConfig{
		Name: "FieldOrigin", Description: "Where the effective value of one field comes from.",
		Fields: graphql.Fields{
			"path":        {Type: nn(str), Resolve: originField(func(f resource.FieldOrigin) any { return f.Path })},
			"value":       {Type: jsonScalar, Resolve: originField(func(f resource.FieldOrigin) any { return f.Value })},
			"tenant":      {Type: nn(str), Description: "The tenant whose layer set the value.", Resolve: originField(func(f resource.FieldOrigin) any { return f.Tenant })},
			"status":      {Type: nn(str), Description: "defined, overridden, inherited or locked.", Resolve: originField(func(f resource.FieldOrigin) any { return f.Status })},
			"lockedBy":    {Type: str, Resolve: originField(func(f resource.FieldOrigin) any { return nullable(f.LockedBy) })},
			"description": {Type: nn(str), Resolve: originField(func(f resource.FieldOrigin) any { return f.Describe() })},
			"shadowed":    {Type: nn(graphql.NewList(nn(shadow))), Resolve: originField(func(f resource.FieldOrigin) any { return nonNilLayers(f.Shadowed) })},
		},
	})
	lock := graphql.NewObject(graphql.ObjectConfig{
		Name: "Lock", Fields: graphql.Fields{
			"path":   {Type: nn(str), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.([2]string)[0], nil }},
			"tenant": {Type: nn(str), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.([2]string)[1], nil }},
		},
	})
	effective = graphql.NewObject(graphql.ObjectConfig{
		Name: "EffectiveResource", Description: "The spec that applies at a tenant, merged along its path from the root.",
		Fields: graphql.Fields{
			"kind":   {Type: nn(str), Resolve: effField(func(e resource.Effective) any { return e.Kind })},
			"tenant": {Type: nn(str), Resolve: effField(func(e resource.Effective) any { return e.Tenant })},
			"name":   {Type: nn(str), Resolve: effField(func(e resource.Effective) any { return e.Name })},
			"spec":   {Type: jsonScalar, Resolve: effField(func(e resource.Effective) any { return e.Spec })},
			"layers": {Type: nn(graphql.NewList(nn(str))), Description: "Tenants that contributed, root first.", Resolve: effField(func(e resource.Effective) any { return nonNilStrings(e.Layers) })},
			"locks": {Type: nn(graphql.NewList(nn(lock))), Resolve: effField(func(e resource.Effective) any {
				out := make([][2]string, 0, len(e.Locks))
				for _, path := range sortedKeys(e.Locks) {
					out = append(out, [2]string{path, e.Locks[path]})
				}
				return out
			})},
		},
	})
	kind = graphql.NewObject(graphql.ObjectConfig{
		Name: "Kind", Description: "A registered resource kind.",
		Fields: graphql.Fields{
			"name":        {Type: nn(str), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(resource.Kind).Name, nil }},
			"apiVersion":  {Type: nn(str), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(resource.Kind).APIVersion, nil }},
			"inheritable": {Type: nn(graphql.Boolean), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(resource.Kind).Inheritable, nil }},
			"schema":      {Type: jsonScalar, Description: "The JSON Schema of spec.", Resolve: func(p graphql.ResolveParams) (any, error) { return rawJSON(p.Source.(resource.Kind).Schema), nil }},
		},
	})
	applyResult = graphql.NewObject(graphql.ObjectConfig{
		Name: "ApplyResult", Description: "What apply did (or, in a dry run, would do) to one resource.",
		Fields: graphql.Fields{
			"op":       {Type: nn(str), Description: "created, updated or unchanged.", Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(resource.ApplyResult).Op, nil }},
			"resource": {Type: nn(obj), Resolve: func(p graphql.ResolveParams) (any, error) { return p.Source.(resource.ApplyResult).Object, nil }},
			"diff": {Type: nn(graphql.NewList(nn(diff))), Resolve: func(p graphql.ResolveParams) (any, error) {
				d := p.Source.(resource.ApplyResult).Diff
				if d == nil {
					d = []resource.DiffEntry{}
				}
				return d, nil
			}},
		},
	})
	return
}

func objField(fn func(o resource.Object) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(resource.Object)), nil }
}

func verField(fn func(v resource.Version) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(resource.Version)), nil }
}

func originField(fn func(f resource.FieldOrigin) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(resource.FieldOrigin)), nil }
}

func effField(fn func(e resource.Effective) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) { return fn(p.Source.(resource.Effective)), nil }
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilLayers(s []resource.Layer) []resource.Layer {
	if s == nil {
		return []resource.Layer{}
	}
	return s
}

// kindArgs locate one resource.
var kindArgs = graphql.FieldConfigArgument{
	"kind":   {Type: graphql.NewNonNull(graphql.String)},
	"tenant": {Type: graphql.NewNonNull(graphql.String)},
	"name":   {Type: graphql.NewNonNull(graphql.String)},
}

func withArgs(base graphql.FieldConfigArgument, extra graphql.FieldConfigArgument) graphql.FieldConfigArgument {
	out := graphql.FieldConfigArgument{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// locate reads kind, tenant and name and checks that the caller may do action there.
func (g *Graph) locate(ctx context.Context, args map[string]any, action string) (kind, tenantCode, name string, err error) {
	kind, tenantCode, name = strArg(args, "kind"), strArg(args, "tenant"), strArg(args, "name")
	if _, ok := g.svc.Resources.Kind(kind); !ok {
		return "", "", "", apierr.New(apierr.NotFound, "no resource kind %q", kind)
	}
	if _, ok := g.svc.Tenants.Get(tenantCode); !ok {
		return "", "", "", apierr.New(apierr.NotFound, "no tenant with code %q", tenantCode)
	}
	return kind, tenantCode, name, g.Authorize(ctx, tenantCode, kind, action)
}
