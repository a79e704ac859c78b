// Package plugin hosts vendor plugins: the Plugin catalog and PluginGrant kinds,
// each plugin's process (started on first use, health-checked, restarted with
// backoff after a crash, every call bounded by a timeout and a concurrency limit),
// the GraphQL fields plugins add to the tenants that grant them, and the events,
// workflow actions, quality rules and data sources they serve. Everything a plugin
// says is checked before the kernel uses it; nothing it does reaches past the call
// that asked it.
package plugin

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/sdk/host"
)

// The kinds this package owns.
const (
	KindPlugin = "Plugin"
	KindGrant  = "PluginGrant"
)

// The capabilities a plugin can offer and a tenant can grant.
const (
	CapGraphQL      = "graphql"
	CapEvents       = "events"
	CapActions      = "actions"
	CapQualityRules = "qualityRules"
	CapDataSources  = "dataSources"
)

// Defaults of a catalog entry.
const (
	DefaultTimeout     = 2 * time.Second
	DefaultConcurrency = 64
)

// Permission is one (area, actions) pair.
type Permission struct {
	On          string   `json:"on"`
	Actions     []string `json:"actions"`
	Description string   `json:"description,omitempty"`
}

// GraphQLSpec is a plugin's schema part as the catalog keeps it.
type GraphQLSpec struct {
	SDL       string   `json:"sdl"`
	Resolvers []string `json:"resolvers,omitempty"`
}

// Spec mirrors schemas/kinds/Plugin.json.
type Spec struct {
	Version      string       `json:"version"`
	Title        string       `json:"title,omitempty"`
	Description  string       `json:"description,omitempty"`
	Binary       string       `json:"binary"`
	SHA256       string       `json:"sha256"`
	Capabilities []string     `json:"capabilities,omitempty"`
	Permissions  []Permission `json:"permissions,omitempty"`
	GraphQL      *GraphQLSpec `json:"graphql,omitempty"`
	Events       []string     `json:"events,omitempty"`
	Actions      []string     `json:"actions,omitempty"`
	QualityRules []string     `json:"qualityRules,omitempty"`
	DataSources  []string     `json:"dataSources,omitempty"`
	TimeoutMs    int          `json:"timeoutMs,omitempty"`
	Concurrency  int          `json:"concurrency,omitempty"`
}

// GrantSpec mirrors schemas/kinds/PluginGrant.json.
type GrantSpec struct {
	Capabilities []string     `json:"capabilities"`
	Permissions  []Permission `json:"permissions,omitempty"`
}

// Entry is one catalog entry: a plugin's ID and spec.
type Entry struct {
	ID   string
	Spec Spec
}

func (e Entry) timeout() time.Duration {
	if e.Spec.TimeoutMs > 0 {
		return time.Duration(e.Spec.TimeoutMs) * time.Millisecond
	}
	return DefaultTimeout
}

func (e Entry) concurrency() int {
	if e.Spec.Concurrency > 0 {
		return e.Spec.Concurrency
	}
	return DefaultConcurrency
}

// Has reports whether the entry offers a capability.
func (e Entry) Has(capability string) bool { return slices.Contains(e.Spec.Capabilities, capability) }

func decodeSpec[T any](spec map[string]any) (T, error) {
	var out T
	b, err := json.Marshal(spec)
	if err != nil {
		return out, fmt.Errorf("plugin: encode spec: %w", err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("plugin: decode spec: %w", err)
	}
	return out, nil
}

// EntryOf reads a Plugin resource.
func EntryOf(o resource.Object) (Entry, error) {
	s, err := decodeSpec[Spec](o.Spec)
	return Entry{ID: o.Metadata.Name, Spec: s}, err
}

// SpecFromManifest is the catalog spec of a binary with its checksum and manifest,
// what gdbos plugin install writes.
func SpecFromManifest(binary, sha256 string, m host.Manifest) Spec {
	s := Spec{
		Version: m.Version, Title: m.Name, Description: m.Description, Binary: binary, SHA256: strings.ToLower(sha256),
		Capabilities: m.Capabilities(), Events: m.Events,
	}
	for _, p := range m.Permissions {
		s.Permissions = append(s.Permissions, Permission{On: p.On, Actions: p.Actions, Description: p.Description})
	}
	if m.GraphQL != nil {
		s.GraphQL = &GraphQLSpec{SDL: m.GraphQL.SDL, Resolvers: m.GraphQL.Resolvers}
	}
	for _, n := range m.Actions {
		s.Actions = append(s.Actions, n.Name)
	}
	for _, n := range m.QualityRules {
		s.QualityRules = append(s.QualityRules, n.Name)
	}
	for _, n := range m.DataSources {
		s.DataSources = append(s.DataSources, n.Name)
	}
	return s
}

// ToMap turns a spec into a resource spec.
func (s Spec) ToMap() map[string]any {
	b, _ := json.Marshal(s)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// checkManifest reports, with paths into the Plugin resource, where a catalog spec
// differs from what the binary declares, and what is wrong with the declaration.
func checkManifest(id string, s Spec, m host.Manifest) apierr.FieldList {
	var l apierr.FieldList
	if m.ID != id {
		l.Add("/metadata/name", "the binary is plugin %q, not %q", m.ID, id)
	}
	want := SpecFromManifest(s.Binary, s.SHA256, m)
	same := func(path string, a, b any) {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			l.Add(path, "the binary declares %s", jb)
		}
	}
	same("/spec/version", s.Version, want.Version)
	same("/spec/capabilities", s.Capabilities, want.Capabilities)
	same("/spec/permissions", s.Permissions, want.Permissions)
	same("/spec/graphql", s.GraphQL, want.GraphQL)
	same("/spec/events", s.Events, want.Events)
	same("/spec/actions", s.Actions, want.Actions)
	same("/spec/qualityRules", s.QualityRules, want.QualityRules)
	same("/spec/dataSources", s.DataSources, want.DataSources)
	if s.GraphQL != nil {
		if _, errs := buildSchemaPart(id, s.GraphQL, nil); len(errs) > 0 {
			l = append(l, errs...)
		}
	}
	return l
}

// checkGrant reports what a grant gives that the plugin does not offer or ask for.
func checkGrant(g GrantSpec, e Entry) apierr.FieldList {
	var l apierr.FieldList
	for i, c := range g.Capabilities {
		if !e.Has(c) {
			l.Add(fmt.Sprintf("/spec/capabilities/%d", i), "plugin %s does not offer %s (it offers %s)", e.ID, c, strings.Join(e.Spec.Capabilities, ", "))
		}
	}
	for i, p := range g.Permissions {
		for j, a := range p.Actions {
			if !asks(e.Spec.Permissions, p.On, a) {
				l.Add(fmt.Sprintf("/spec/permissions/%d/actions/%d", i, j), "plugin %s does not ask for %s:%s", e.ID, p.On, a)
			}
		}
	}
	return l
}

func asks(perms []Permission, on, action string) bool {
	for _, p := range perms {
		if p.On == on && slices.Contains(p.Actions, action) {
			return true
		}
	}
	return false
}

// Namespace is where a plugin's GraphQL fields live: its ID in lowerCamelCase
// (credit-check → creditCheck).
func Namespace(id string) string {
	parts := strings.Split(id, "-")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// TypePrefix starts the name of every GraphQL type a plugin declares
// (credit-check → CreditCheck).
func TypePrefix(id string) string {
	ns := Namespace(id)
	if ns == "" {
		return ""
	}
	return strings.ToUpper(ns[:1]) + ns[1:]
}
