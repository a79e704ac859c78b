package main

import (
	"github.com/gdbos/gdbos/core/module"
	"github.com/gdbos/gdbos/modules/catalog"
)

// distribution lists the modules this binary runs. A distribution of GDBOS is this
// list: the kernel never imports a module.
func distribution() []module.Module {
	return []module.Module{catalog.New()}
}
