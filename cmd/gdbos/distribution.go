package main

import "github.com/gdbos/gdbos/core/module"

// distribution lists the modules this binary runs. A distribution of GDBOS is this
// list: the kernel never imports a module.
func distribution() []module.Module {
	return nil
}
