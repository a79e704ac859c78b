package graph

import (
	"container/list"
	"sync"

	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/source"
)

// prepared is a parsed query that passed validation, or the errors it failed with.
type prepared struct {
	doc  *ast.Document
	errs []gqlerrors.FormattedError
}

func parseQuery(q string) (*ast.Document, error) {
	return parser.Parse(parser.ParseParams{Source: source.NewSource(&source.Source{Body: []byte(q), Name: "GraphQL request"})})
}

// maxDepth is the deepest field nesting of any operation, following fragments once.
func maxDepth(doc *ast.Document) int {
	frags := map[string]*ast.FragmentDefinition{}
	for _, d := range doc.Definitions {
		if f, ok := d.(*ast.FragmentDefinition); ok {
			frags[f.Name.Value] = f
		}
	}
	deepest := 0
	for _, d := range doc.Definitions {
		if od, ok := d.(*ast.OperationDefinition); ok {
			if n := selectionDepth(od.SelectionSet, frags, map[string]bool{}); n > deepest {
				deepest = n
			}
		}
	}
	return deepest
}

func selectionDepth(ss *ast.SelectionSet, frags map[string]*ast.FragmentDefinition, seen map[string]bool) int {
	if ss == nil {
		return 0
	}
	deepest := 0
	for _, s := range ss.Selections {
		n := 0
		switch s := s.(type) {
		case *ast.Field:
			n = 1 + selectionDepth(s.SelectionSet, frags, seen)
		case *ast.InlineFragment:
			n = selectionDepth(s.SelectionSet, frags, seen)
		case *ast.FragmentSpread:
			name := s.Name.Value
			if f, ok := frags[name]; ok && !seen[name] {
				seen[name] = true
				n = selectionDepth(f.SelectionSet, frags, seen)
				delete(seen, name)
			}
		}
		if n > deepest {
			deepest = n
		}
	}
	return deepest
}

// lru keeps the most recently used values, at most max of them.
type lru[V any] struct {
	mu    sync.Mutex
	max   int
	order *list.List
	byKey map[string]*list.Element
}

type lruEntry[V any] struct {
	key string
	val V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, order: list.New(), byKey: make(map[string]*list.Element, max)}
}

func (c *lru[V]) get(k string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[k]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*lruEntry[V]).val, true
	}
	var zero V
	return zero, false
}

func (c *lru[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[k]; ok {
		e.Value.(*lruEntry[V]).val = v
		c.order.MoveToFront(e)
		return
	}
	c.byKey[k] = c.order.PushFront(&lruEntry[V]{key: k, val: v})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*lruEntry[V]).key)
	}
}
