package host_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gdbos/gdbos/sdk/host"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestBinaryRunsTheBytesChecked: once checked, a binary starts from the copy that was
// checked; replacing the file afterwards (in place, same inode) changes nothing that
// runs, and the file is refused when opened again.
func TestBinaryRunsTheBytesChecked(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("sealed copies are made on Linux only; elsewhere every start hashes the file")
	}
	path := filepath.Join(t.TempDir(), "plugin")
	copyFile(t, filepath.Join(bin, "echo"), path)
	sum, err := host.FileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := host.OpenBinary(path, sum)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	copyFile(t, filepath.Join(bin, "future"), path)
	p, err := host.Start(context.Background(), host.Config{ID: "echo", Binary: b, DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	if got, err := p.Resolve(context.Background(), host.Call{}, "echo", map[string]any{"s": "checked"}); err != nil || string(got) != `"checked"` {
		t.Fatalf("echo = %s, %v", got, err)
	}
	if _, err := host.OpenBinary(path, sum); !errors.Is(err, host.ErrChecksum) || !strings.Contains(err.Error(), "the catalog pins "+sum) {
		t.Fatalf("opening the replaced file: %v, want ErrChecksum", err)
	}
}

func TestClosedBinaryDoesNotStart(t *testing.T) {
	path := filepath.Join(bin, "echo")
	sum, err := host.FileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := host.OpenBinary(path, sum)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if _, err := host.Start(context.Background(), host.Config{ID: "echo", Binary: b, Logger: slog.New(slog.DiscardHandler)}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("err = %v", err)
	}
	if _, err := host.OpenBinary(path, "xyz"); err == nil || !strings.Contains(err.Error(), "64 hex digits") {
		t.Fatalf("bad sum: %v", err)
	}
	if _, err := host.OpenBinary(filepath.Join(bin, "missing"), sum); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}
