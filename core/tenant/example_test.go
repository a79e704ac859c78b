package tenant_test

import (
	"context"
	"fmt"
	"os"

	"github.com/gdbos/gdbos/core/store"
	"github.com/gdbos/gdbos/core/tenant"
)

func Example() {
	dir, _ := os.MkdirTemp("", "tenant-example")
	defer os.RemoveAll(dir)
	st, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	svc := tenant.New(st)
	n, _ := svc.LoadDemo(context.Background(), "admin")
	lineage, _ := svc.LineageCodes("230102001")
	fmt.Println(n, len(svc.Children("230100")), lineage, svc.IsWithin("230102", "230100"))
	// Output: 33 18 [230000 230100 230102 230102001] true
}
