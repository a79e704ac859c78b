package kernel

import (
	"encoding/hex"
	"errors"
	"os"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/sdk/host"
)

// installRefusal says why a binary cannot be installed, at the argument at fault
// (the catalog entry's /spec/sha256 or /spec/binary), so that a form shows it there.
func installRefusal(binary, sha256 string, err error) error {
	path := "/spec/binary"
	if b, herr := hex.DecodeString(sha256); herr != nil || len(b) != 32 {
		path, err = "/spec/sha256", errors.New("must be 64 hexadecimal digits (sha256sum of the binary)")
	} else if errors.Is(err, host.ErrChecksum) {
		path = "/spec/sha256"
	} else if errors.Is(err, os.ErrNotExist) {
		err = errors.New("no such file on the server")
	}
	return &apierr.Error{Code: apierr.ValidationFailed, Message: "cannot install " + binary,
		Fields: []apierr.FieldError{{Path: path, Message: err.Error()}}, Err: err}
}
