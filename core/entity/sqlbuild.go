package entity

import (
	"strconv"
	"strings"
)

// builder writes SQL with the dialect's placeholders: "?" on SQLite, "$n" on
// PostgreSQL.
type builder struct {
	pg   bool
	sb   strings.Builder
	args []any
}

func newBuilder(dialect string) *builder { return &builder{pg: dialect == Postgres} }

// add appends frag, whose "?" are bound to args in order.
func (b *builder) add(frag string, args ...any) {
	if !b.pg {
		b.sb.WriteString(frag)
		b.args = append(b.args, args...)
		return
	}
	for i := 0; i < len(frag); i++ {
		if frag[i] == '?' {
			b.bind(args[0])
			args = args[1:]
			continue
		}
		b.sb.WriteByte(frag[i])
	}
}

// addNative appends a fragment whose parameters are "?" (bound to args in order) or
// "$n" (bound to args[n-1]), as compiled row policies and store.Where fragments are;
// each occurrence becomes a placeholder of this statement.
func (b *builder) addNative(frag string, args []any) {
	next := 0
	for i := 0; i < len(frag); i++ {
		c := frag[i]
		if c != '?' && c != '$' {
			b.sb.WriteByte(c)
			continue
		}
		if c == '?' {
			if next < len(args) {
				b.bind(args[next])
			}
			next++
			continue
		}
		j := i + 1
		for j < len(frag) && frag[j] >= '0' && frag[j] <= '9' {
			j++
		}
		if j == i+1 {
			b.sb.WriteByte('$')
			continue
		}
		if k, _ := strconv.Atoi(frag[i+1 : j]); k >= 1 && k <= len(args) {
			b.bind(args[k-1])
		}
		i = j - 1
	}
}

// bind writes one placeholder for v.
func (b *builder) bind(v any) {
	b.args = append(b.args, v)
	if b.pg {
		b.sb.WriteString("$" + strconv.Itoa(len(b.args)))
	} else {
		b.sb.WriteByte('?')
	}
}

func (b *builder) String() string { return b.sb.String() }
