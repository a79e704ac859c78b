package resource

import (
	"context"
	"fmt"
	"testing"

	"github.com/gdbos/gdbos/core/store/storetest"
)

// benchSpec returns a spec of n leaf fields spread over a few nested objects.
func benchSpec(n int, tag string) map[string]any {
	spec := map[string]any{"name": tag}
	fields := map[string]any{}
	for i := 1; i < n; i++ {
		group := fmt.Sprintf("g%d", i%5)
		g, _ := fields[group].(map[string]any)
		if g == nil {
			g = map[string]any{}
			fields[group] = g
		}
		g[fmt.Sprintf("f%02d", i)] = fmt.Sprintf("%s-%d", tag, i)
	}
	spec["fields"] = fields
	return spec
}

func BenchmarkEffective(b *testing.B) {
	ctx := context.Background()
	s := newService(b, storetest.SQLite(b))
	apply(b, s,
		item("230000", "x", benchSpec(50, "p"), "/fields/g4/f49"),
		item("230100", "x", benchSpec(20, "c"), "/fields/g1/f41"),
		item("230102", "x", benchSpec(10, "d")),
		item("230102001", "x", map[string]any{"fields": map[string]any{"g2": map[string]any{"f02": "t"}}}),
	)
	if _, err := s.Effective(ctx, "Item", "230102001", "x"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Effective(ctx, "Item", "230102001", "x"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApply1000(b *testing.B) {
	ctx := context.Background()
	objs := make([]Object, 1000)
	for i := range objs {
		objs[i] = item("230100", fmt.Sprintf("item-%04d", i), benchSpec(10, "v"))
	}
	for b.Loop() {
		b.StopTimer()
		s := newService(b, storetest.SQLite(b))
		b.StartTimer()
		if _, err := s.Apply(ctx, "bench", objs, ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	var objs []Object
	for i := range 20 {
		objs = append(objs, item("230100", fmt.Sprintf("item-%02d", i), benchSpec(10, "v"), "/name"))
	}
	data, err := EncodeYAML(objs)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
