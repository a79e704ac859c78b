package tenant_test

import (
	"testing"

	"github.com/gdbos/gdbos/core/store/storetest"
)

func BenchmarkChildren(b *testing.B) {
	svc := demo(b, storetest.SQLite(b))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if len(svc.Children("230100")) != 18 {
				b.Fatal("wrong children")
			}
		}
	})
}

func BenchmarkIsWithin(b *testing.B) {
	svc := demo(b, storetest.SQLite(b))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !svc.IsWithin("230102001", "230000") {
				b.Fatal("not within")
			}
		}
	})
}
