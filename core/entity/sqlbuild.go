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
			b.args = append(b.args, args[0])
			args = args[1:]
			b.sb.WriteString("$" + strconv.Itoa(len(b.args)))
			continue
		}
		b.sb.WriteByte(frag[i])
	}
}

// addNative appends a fragment already in the dialect's style, numbered from $1 on
// PostgreSQL (as compiled row policies are).
func (b *builder) addNative(frag string, args []any) {
	if !b.pg {
		b.add(frag, args...)
		return
	}
	n := len(b.args)
	for i := 0; i < len(frag); i++ {
		if frag[i] != '$' {
			b.sb.WriteByte(frag[i])
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
		k, _ := strconv.Atoi(frag[i+1 : j])
		b.sb.WriteString("$" + strconv.Itoa(k+n))
		i = j - 1
	}
	b.args = append(b.args, args...)
}

func (b *builder) String() string { return b.sb.String() }
