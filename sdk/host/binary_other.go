//go:build !linux

package host

import "os"

// sealedCopy: there are no sealed in-memory files here; the binary is the file,
// hashed again at every start.
func sealedCopy(*os.File, string) (*os.File, error) { return nil, nil }

func dupFile(f *os.File) (*os.File, error) { return f, nil }

func execPath(f *os.File) string { return f.Name() }
