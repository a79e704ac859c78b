package main

import (
	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/modules/catalog"
)

// distribution lists the modules this binary runs. A distribution of GDBOS is this
// list: the kernel never imports a module.
// With demo, modules load their demo data (the catalog: a Harbin-sized list, in the
// background once the server runs).
func distribution(demo bool) []module.Module {
	return []module.Module{catalog.New(catalog.Options{Demo: demo})}
}
