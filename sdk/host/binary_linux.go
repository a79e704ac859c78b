package host

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// seals make a memfd's content final: no write, no shrinking or growing, and no
// removing the seals.
const seals = unix.F_SEAL_WRITE | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL

// sealedCopy copies f into a new memfd and seals it. The caller hashes the sealed
// copy, never the file, so what it checked is what runs.
func sealedCopy(f *os.File, path string) (*os.File, error) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		return nil, nil // a copy could not be executed: the file is hashed at every start
	}
	fd, err := unix.MemfdCreate("gdbos-plugin-"+filepath.Base(path), unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	image := os.NewFile(uintptr(fd), "memfd:"+path)
	if _, err := io.Copy(image, f); err != nil {
		image.Close()
		return nil, err
	}
	if _, err := unix.FcntlInt(image.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		image.Close()
		return nil, fmt.Errorf("sealing: %w", err)
	}
	return image, nil
}

// dupFile duplicates f's descriptor (close-on-exec: the kernel opens the binary while
// executing it, before close-on-exec descriptors are closed).
func dupFile(f *os.File) (*os.File, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("host: dup: %w", err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// execPath is the path that executes an open file.
func execPath(f *os.File) string { return fmt.Sprintf("/proc/self/fd/%d", f.Fd()) }
