package store

import (
	"strings"

	entsql "entgo.io/ent/dialect/sql"
)

// Where turns a SQL fragment with bind parameters ("?" or "$1", "$2" …) into an ent
// selector predicate, renumbering the parameters for the query it joins. The
// fragment must come from code (compiled policies, fixed columns), never from input;
// values travel only as args.
func Where(fragment string, args []any) func(*entsql.Selector) {
	return func(s *entsql.Selector) {
		s.Where(entsql.P(func(b *entsql.Builder) {
			b.WriteByte('(')
			writeWithArgs(b, fragment, args)
			b.WriteByte(')')
		}))
	}
}

func writeWithArgs(b *entsql.Builder, frag string, args []any) {
	next := 0
	for len(frag) > 0 {
		i := strings.IndexAny(frag, "?$")
		if i < 0 {
			b.WriteString(frag)
			return
		}
		b.WriteString(frag[:i])
		if frag[i] == '?' {
			frag = frag[i+1:]
			if next < len(args) {
				b.Arg(args[next])
			}
			next++
			continue
		}
		j := i + 1
		n := 0
		for j < len(frag) && frag[j] >= '0' && frag[j] <= '9' {
			n = n*10 + int(frag[j]-'0')
			j++
		}
		if j == i+1 { // a lone '$'
			b.WriteByte('$')
			frag = frag[i+1:]
			continue
		}
		if n >= 1 && n <= len(args) {
			b.Arg(args[n-1])
		}
		frag = frag[j:]
	}
}
