package resource

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gdbos/gdbos/core/store"
)

// Service stores, validates and resolves resources. It is safe for concurrent use.
type Service struct {
	st      *store.Store
	tenants Tenants

	mu       sync.RWMutex
	kinds    map[string]*kindEntry
	onChange OnChange

	cache *cache
}

type kindEntry struct {
	Kind
	schema *jsonschema.Schema
}

// New returns a service over st that resolves tenants with tenants.
func New(st *store.Store, tenants Tenants) *Service {
	return &Service{st: st, tenants: tenants, kinds: map[string]*kindEntry{}, cache: newCache()}
}

// SetOnChange sets the hook called for every changed object (nil removes it).
func (s *Service) SetOnChange(fn OnChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onChange = fn
}

func (s *Service) hook() OnChange {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.onChange
}

// RegisterKind adds a kind. Its schema must compile; a name can be registered once.
func (s *Service) RegisterKind(k Kind) error {
	if k.Name == "" {
		return fmt.Errorf("resource: kind without a name")
	}
	if k.APIVersion == "" {
		k.APIVersion = DefaultAPIVersion
	}
	sch, err := compileSchema(k.Name, k.Schema)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.kinds[k.Name]; dup {
		return fmt.Errorf("resource: kind %s is already registered", k.Name)
	}
	if k.Base != "" {
		b, ok := s.kinds[k.Base]
		switch {
		case !ok:
			return fmt.Errorf("resource: kind %s: base kind %s is not registered", k.Name, k.Base)
		case !k.Inheritable || !b.Inheritable:
			return fmt.Errorf("resource: kind %s: a kind with a base and its base %s must both be inheritable", k.Name, k.Base)
		case b.Base != "":
			return fmt.Errorf("resource: kind %s: base kind %s has a base itself", k.Name, k.Base)
		}
	}
	k.Schema = bytes.Clone(k.Schema)
	s.kinds[k.Name] = &kindEntry{Kind: k, schema: sch}
	return nil
}

func compileSchema(name string, raw []byte) (*jsonschema.Schema, error) {
	if len(raw) == 0 {
		raw = []byte(`{"type":"object"}`)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("resource: schema of kind %s: %w", name, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	url := "gdbos:///kinds/" + name + ".json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("resource: schema of kind %s: %w", name, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("resource: schema of kind %s: %w", name, err)
	}
	return sch, nil
}

// Kinds returns the registered kinds sorted by name.
func (s *Service) Kinds() []Kind {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Kind, 0, len(s.kinds))
	for _, k := range s.kinds {
		out = append(out, k.Kind)
	}
	slices.SortFunc(out, func(a, b Kind) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Kind returns the registered kind with that name.
func (s *Service) Kind(name string) (Kind, bool) {
	k, ok := s.kind(name)
	if !ok {
		return Kind{}, false
	}
	return k.Kind, true
}

// derived returns the kinds whose base is name.
func (s *Service) derived(name string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for _, k := range s.kinds {
		if k.Base == name {
			out = append(out, k.Name)
		}
	}
	return out
}

func (s *Service) kind(name string) (*kindEntry, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.kinds[name]
	return k, ok
}
