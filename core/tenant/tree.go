package tenant

import (
	"slices"
	"strings"
)

// maxDepth bounds parent chains so that a corrupt table with a cycle cannot loop.
const maxDepth = 16

type node struct {
	t        Tenant
	lineage  []string // root first, with self
	children []*node  // sorted by code
}

// tree is the in-memory copy of the tenant table. Service.mu guards it.
type tree struct {
	nodes map[string]*node
	all   []*node // sorted by code
}

func newTree() *tree { return &tree{nodes: map[string]*node{}} }

func buildTree(ts []Tenant) *tree {
	tr := &tree{nodes: make(map[string]*node, len(ts)), all: make([]*node, 0, len(ts))}
	for _, t := range ts {
		n := &node{t: t}
		tr.nodes[t.Code] = n
		tr.all = append(tr.all, n)
	}
	slices.SortFunc(tr.all, byCode)
	for _, n := range tr.all {
		if p := tr.nodes[n.t.Parent]; p != nil && p != n {
			p.children = append(p.children, n)
		}
		n.lineage = tr.lineageOf(n)
	}
	return tr
}

func byCode(a, b *node) int { return strings.Compare(a.t.Code, b.t.Code) }

// lineageOf follows parents; a missing parent ends the chain, as does a cycle.
func (tr *tree) lineageOf(n *node) []string {
	var rev []string
	for cur := n; cur != nil && len(rev) < maxDepth; cur = tr.nodes[cur.t.Parent] {
		if slices.Contains(rev, cur.t.Code) {
			break
		}
		rev = append(rev, cur.t.Code)
	}
	slices.Reverse(rev)
	return rev
}

// insert adds t below its parent; it reports false when the parent is unknown, so
// the caller reloads.
func (tr *tree) insert(t Tenant) bool {
	p, ok := tr.nodes[t.Parent]
	if t.Parent != "" && !ok {
		return false
	}
	n := &node{t: t}
	if old := tr.nodes[t.Code]; old != nil {
		return false
	}
	tr.nodes[t.Code] = n
	tr.all = insertSorted(tr.all, n)
	if p != nil {
		p.children = insertSorted(p.children, n)
		n.lineage = append(slices.Clip(p.lineage), t.Code)
	} else {
		n.lineage = []string{t.Code}
	}
	return true
}

func insertSorted(ns []*node, n *node) []*node {
	i, _ := slices.BinarySearchFunc(ns, n, byCode)
	return slices.Insert(ns, i, n)
}

// update replaces a known tenant's fields; the tree shape is unchanged.
func (tr *tree) update(t Tenant) bool {
	n := tr.nodes[t.Code]
	if n == nil || n.t.Parent != t.Parent {
		return false
	}
	n.t = t
	return true
}

func (tr *tree) within(code, ancestor string) bool {
	n := tr.nodes[code]
	if n == nil {
		return false
	}
	for _, c := range n.lineage {
		if c == ancestor {
			return true
		}
	}
	return false
}

func (n *node) matches(tr *tree, o ListOptions) bool {
	switch {
	case o.Parent != "" && n.t.Parent != o.Parent:
		return false
	case o.Level != "" && string(n.t.Level) != o.Level:
		return false
	case o.Within != "" && !tr.within(n.t.Code, o.Within):
		return false
	}
	return o.Search == "" || strings.HasPrefix(n.t.Code, o.Search) ||
		strings.Contains(strings.ToLower(n.t.Name), strings.ToLower(o.Search))
}

func tenantsOf(ns []*node) []Tenant {
	out := make([]Tenant, len(ns))
	for i, n := range ns {
		out[i] = n.t
	}
	return out
}
