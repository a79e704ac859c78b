package resource

import (
	"maps"
	"slices"
)

// DiffObjects lists what changes from a to b (either may be nil): labels first,
// then spec (objects recurse, arrays compare whole), then locks; keys in order.
func DiffObjects(a, b *Object) []DiffEntry {
	var out []DiffEntry
	la, lb := labelsOf(a), labelsOf(b)
	for _, k := range sortedKeys(union(la, lb)) {
		va, ina := la[k]
		vb, inb := lb[k]
		out = diffValue(out, joinPointer("/metadata/labels", k), va, ina, vb, inb)
	}
	out = diffMaps(out, "/spec", specOf(a), specOf(b))
	locksA, locksB := locksOf(a), locksOf(b)
	if !slices.Equal(locksA, locksB) {
		out = diffValue(out, "/locks", locksA, len(locksA) > 0, locksB, len(locksB) > 0)
	}
	return out
}

func diffMaps(out []DiffEntry, path string, a, b map[string]any) []DiffEntry {
	for _, k := range sortedKeys(union(a, b)) {
		va, ina := a[k]
		vb, inb := b[k]
		p := joinPointer(path, k)
		ma, aObj := va.(map[string]any)
		mb, bObj := vb.(map[string]any)
		if aObj && bObj {
			out = diffMaps(out, p, ma, mb)
			continue
		}
		out = diffValue(out, p, va, ina, vb, inb)
	}
	return out
}

func diffValue(out []DiffEntry, p string, a any, ina bool, b any, inb bool) []DiffEntry {
	switch {
	case ina && !inb:
		return append(out, DiffEntry{Op: "remove", Path: p, Old: deepCopy(a)})
	case !ina && inb:
		return append(out, DiffEntry{Op: "add", Path: p, New: deepCopy(b)})
	case ina && inb && !equalValue(a, b):
		return append(out, DiffEntry{Op: "replace", Path: p, Old: deepCopy(a), New: deepCopy(b)})
	}
	return out
}

func union[V any](a, b map[string]V) map[string]V {
	out := make(map[string]V, len(a)+len(b))
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

func labelsOf(o *Object) map[string]string {
	if o == nil {
		return nil
	}
	return o.Metadata.Labels
}

func specOf(o *Object) map[string]any {
	if o == nil {
		return nil
	}
	return o.Spec
}

func locksOf(o *Object) []string {
	if o == nil {
		return nil
	}
	return normalizeLocks(o.Locks)
}
