package resource

import "strings"

// layer is one tenant's stored, non-deleted object for a (kind, name).
type layer struct {
	tenant string
	spec   map[string]any
	locks  []string
}

// merged is the result of folding layers along a lineage.
type merged struct {
	spec   map[string]any
	layers []string
	locks  map[string]string
	// trace is filled only when explaining.
	trace *trace
}

// trace records, per leaf pointer, who set the value in effect and which overrides
// a lock ignored.
type trace struct {
	origin   map[string]string
	setBy    map[string][]string
	shadowed map[string][]Layer
}

// mergeLayers folds layers (root first) into one spec: objects merge key by key,
// anything else replaces, and a pointer locked by an earlier layer keeps its value.
func mergeLayers(layers []*layer, explain bool) *merged {
	m := &merged{spec: map[string]any{}, locks: map[string]string{}}
	if explain {
		m.trace = &trace{origin: map[string]string{}, setBy: map[string][]string{}, shadowed: map[string][]Layer{}}
	}
	for _, l := range layers {
		m.layers = append(m.layers, l.tenant)
		m.mergeObject(m.spec, l.spec, "", l.tenant)
		for _, p := range l.locks {
			if _, ok := m.locks[p]; !ok && !m.lockedAt(p) {
				m.locks[p] = l.tenant
			}
		}
	}
	return m
}

// lockedAt reports whether p is at or below a locked pointer.
func (m *merged) lockedAt(p string) bool {
	for lp := range m.locks {
		if within(p, lp) {
			return true
		}
	}
	return false
}

// lockedBelow reports whether a locked pointer lies strictly below p.
func (m *merged) lockedBelow(p string) bool {
	prefix := p + "/"
	for lp := range m.locks {
		if strings.HasPrefix(lp, prefix) {
			return true
		}
	}
	return false
}

func (m *merged) mergeObject(dst, src map[string]any, path, tenant string) {
	for k, v := range src {
		p := joinPointer(path, k)
		if len(m.locks) > 0 && m.lockedAt(p) {
			m.shadow(p, v, tenant)
			continue
		}
		sub, isObj := v.(map[string]any)
		cur, exists := dst[k]
		curObj, curIsObj := cur.(map[string]any)
		if isObj && (curIsObj || !exists) {
			if !exists {
				curObj = map[string]any{}
				dst[k] = curObj
			}
			if len(sub) == 0 && len(curObj) == 0 {
				m.record(p, curObj, tenant)
			}
			m.mergeObject(curObj, sub, p, tenant)
			continue
		}
		if len(m.locks) > 0 && m.lockedBelow(p) {
			m.shadow(p, v, tenant)
			continue
		}
		dst[k] = deepCopy(v)
		m.record(p, v, tenant)
	}
}

func (m *merged) record(p string, v any, tenant string) {
	t := m.trace
	if t == nil {
		return
	}
	for leaf := range t.origin {
		if within(leaf, p) || within(p, leaf) {
			delete(t.origin, leaf)
		}
	}
	leaves(v, p, func(lp string, _ any) {
		t.origin[lp] = tenant
		t.setBy[lp] = append(t.setBy[lp], tenant)
	})
}

// shadow records the leaves of an override that a lock ignored and that differ from
// the value in effect.
func (m *merged) shadow(p string, v any, tenant string) {
	t := m.trace
	if t == nil {
		return
	}
	leaves(v, p, func(lp string, lv any) {
		cur, ok := lookup(m.spec, lp)
		if ok && equalValue(cur, lv) {
			return
		}
		t.shadowed[lp] = append(t.shadowed[lp], Layer{Tenant: tenant, Value: deepCopy(lv)})
	})
}

// lockOwner returns the highest tenant with a lock at, above or below p.
func (m *merged) lockOwner(p string) (string, bool) {
	best, found := len(m.layers), false
	for lp, t := range m.locks {
		if !within(p, lp) && !within(lp, p) {
			continue
		}
		if i := indexOf(m.layers, t); i < best || !found {
			best, found = i, true
		}
	}
	if !found {
		return "", false
	}
	return m.layers[best], true
}

func indexOf(s []string, v string) int {
	for i, e := range s {
		if e == v {
			return i
		}
	}
	return -1
}
