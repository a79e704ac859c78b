package resource

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
)

// canonical converts a spec to the types encoding/json produces (map[string]any,
// []any, float64, string, bool, nil), so that values from Go callers, YAML and the
// database compare equal.
func canonical(spec map[string]any) (map[string]any, error) {
	if spec == nil {
		return map[string]any{}, nil
	}
	if isCanonical(spec) {
		return spec, nil
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("resource: spec is not JSON: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("resource: spec is not JSON: %w", err)
	}
	return out, nil
}

func isCanonical(v any) bool {
	switch c := v.(type) {
	case nil, string, bool, float64:
		return true
	case map[string]any:
		for _, e := range c {
			if !isCanonical(e) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range c {
			if !isCanonical(e) {
				return false
			}
		}
		return true
	}
	return false
}

func deepCopy(v any) any {
	switch c := v.(type) {
	case map[string]any:
		return copyMap(c)
	case []any:
		out := make([]any, len(c))
		for i, e := range c {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = deepCopy(e)
	}
	return out
}

func equalValue(a, b any) bool { return reflect.DeepEqual(a, b) }

// normalizeLocks sorts and deduplicates locks; an empty list becomes nil.
func normalizeLocks(locks []string) []string {
	if len(locks) == 0 {
		return nil
	}
	out := slices.Clone(locks)
	slices.Sort(out)
	return slices.Compact(out)
}

func normalizeLabels(l map[string]string) map[string]string {
	if len(l) == 0 {
		return nil
	}
	return maps.Clone(l)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// leaves calls fn for every leaf below v (objects recurse; arrays, scalars and empty
// objects are leaves), in key order.
func leaves(v any, path string, fn func(path string, v any)) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		fn(path, v)
		return
	}
	for _, k := range sortedKeys(m) {
		leaves(m[k], joinPointer(path, k), fn)
	}
}

func sameContent(a, b *Object) bool {
	return maps.Equal(a.Metadata.Labels, b.Metadata.Labels) &&
		slices.Equal(a.Locks, b.Locks) &&
		equalValue(a.Spec, b.Spec)
}
