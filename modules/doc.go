// Package modules holds GDBOS's business modules, one package each (catalog,
// approval, governance, policy). Each implements the contracts of core/module; the
// kernel never imports them — cmd/gdbos lists the ones a distribution runs.
package modules
