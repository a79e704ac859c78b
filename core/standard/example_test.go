package standard_test

import (
	"fmt"

	"github.com/gdbos/gdbos/core/standard"
	"github.com/gdbos/gdbos/schemas"
)

var schemasFS = schemas.FS

// A field that refers to a shipped data element is checked like this; the kernel
// gives the element in effect at a tenant with (*kernel.Kernel).Element.
func ExampleCompile() {
	cat, _ := standard.LoadCatalog(schemas.FS)
	e, _ := standard.CompileSpec("uscc", cat.ElementSpec("uscc"), cat)
	for _, p := range e.Check("91350100M000100Y44") {
		fmt.Println(p.Rule+":", p.Message)
	}
	// Output:
	// format: not a valid unified social credit code: check character is 4, expected 3
}
