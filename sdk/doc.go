// Package sdk is what a vendor imports to write a GDBOS plugin: a separate binary
// that the kernel runs out of process over go-plugin gRPC. It must stay importable
// without the kernel's dependencies.
package sdk
