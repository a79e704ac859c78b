package host

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Binary is a plugin binary whose SHA-256 was checked against the pinned one. Where
// the system allows (Linux), it is a sealed in-memory copy: the bytes checked are the
// bytes every start executes, and they cannot change, so a restart neither hashes the
// file again nor runs anything else (ADR 27). Elsewhere it names the file, which is
// hashed again at every start. A Binary is safe for concurrent use.
type Binary struct {
	path string
	sum  []byte

	mu     sync.Mutex
	image  *os.File // sealed copy; nil where not supported
	closed bool
}

// OpenBinary checks that the file at path has SHA-256 sha256Hex and keeps it for
// starting; Close releases it.
func OpenBinary(path, sha256Hex string) (*Binary, error) {
	want, err := hex.DecodeString(strings.ToLower(sha256Hex))
	if err != nil || len(want) != sha256.Size {
		return nil, fmt.Errorf("host: sha256 %q is not 64 hex digits", sha256Hex)
	}
	b := &Binary{path: path, sum: want}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("host: %w", err)
	}
	defer f.Close()
	image, err := sealedCopy(f, path)
	if err != nil {
		return nil, fmt.Errorf("host: copying %s: %w", path, err)
	}
	if image == nil {
		// No sealed copy here: check the file now to report a wrong one early; every
		// start checks it again.
		return b, b.check(f)
	}
	if err := b.check(image); err != nil {
		image.Close()
		return nil, err
	}
	b.image = image
	return b, nil
}

// check hashes r from its start and compares the sum with the pinned one.
func (b *Binary) check(r io.ReaderAt) error {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, 1<<62)); err != nil {
		return fmt.Errorf("host: reading %s: %w", b.path, err)
	}
	if got := h.Sum(nil); subtle.ConstantTimeCompare(got, b.sum) != 1 {
		return fmt.Errorf("%w: %s has sha256 %x, the catalog pins %x", ErrChecksum, b.path, got, b.sum)
	}
	return nil
}

// Path is the file the binary was read from.
func (b *Binary) Path() string { return b.path }

// Close releases the in-memory copy; starts already under way are not affected.
func (b *Binary) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if b.image != nil {
		return b.image.Close()
	}
	return nil
}

// execFile returns a file descriptor of its own for one start to execute, so that a
// concurrent Close cannot hand its number to another file; nil where there is no
// sealed copy.
func (b *Binary) execFile() (*os.File, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("host: the plugin binary was closed")
	}
	if b.image == nil {
		return nil, nil
	}
	return dupFile(b.image)
}
