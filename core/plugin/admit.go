package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/gdbos/gdbos/core/apierr"
	"github.com/gdbos/gdbos/core/resource"
	"github.com/gdbos/gdbos/sdk/host"
)

// Inspect starts a binary whose checksum must be sha256, reads its manifest and
// stops it: what install and admission learn about a plugin.
func (m *Manager) Inspect(ctx context.Context, binary, sha256 string) (host.Manifest, error) {
	dir, err := os.MkdirTemp("", "gdbos-plugin-inspect-")
	if err != nil {
		return host.Manifest{}, fmt.Errorf("plugin: %w", err)
	}
	defer os.RemoveAll(dir)
	p, err := host.Start(ctx, host.Config{Path: binary, SHA256: sha256, DataDir: dir, Logger: m.log})
	if err != nil {
		return host.Manifest{}, err
	}
	defer p.Kill()
	return p.Manifest(), nil
}

// binaryErrors checks a catalog entry's binary and checksum, and that the binary
// says what the entry says; each problem with its path.
func (m *Manager) binaryErrors(ctx context.Context, id string, s Spec) apierr.FieldList {
	var l apierr.FieldList
	if !filepath.IsAbs(s.Binary) {
		l.Add("/spec/binary", "must be an absolute path")
		return l
	}
	got, err := host.FileSHA256(s.Binary)
	if err != nil {
		l.Add("/spec/binary", "cannot be read: %v", errors.Unwrap(err))
		return l
	}
	if got != strings.ToLower(s.SHA256) {
		l.Add("/spec/sha256", "the binary %s has SHA-256 %s, not the pinned %s: refusing a binary whose checksum differs", s.Binary, got, s.SHA256)
		return l
	}
	man, err := m.Inspect(ctx, s.Binary, s.SHA256)
	if err != nil {
		l.Add("/spec/binary", "does not start as a GDBOS plugin: %v", err)
		return l
	}
	return checkManifest(id, s, man)
}

// AdmitPlugin is the Plugin kind's admission: a root tenant's catalog entry whose
// binary matches its checksum and declares what the entry says.
func (m *Manager) AdmitPlugin(isRoot func(tenant string) bool) func(ctx context.Context, obj resource.Object, old *resource.Object) error {
	return func(ctx context.Context, obj resource.Object, _ *resource.Object) error {
		var l apierr.FieldList
		if !isRoot(obj.Metadata.Tenant) {
			l.Add("/metadata/tenant", "plugins are installed at a root tenant; grant them below with PluginGrant")
		}
		if !idPattern(obj.Metadata.Name) {
			l.Add("/metadata/name", "%q is not a plugin ID: lowercase words joined by dashes", obj.Metadata.Name)
		}
		s, err := decodeSpec[Spec](obj.Spec)
		if err != nil {
			return apierr.Wrap(apierr.ValidationFailed, err, "invalid plugin spec")
		}
		if len(l) == 0 {
			l = append(l, m.binaryErrors(ctx, obj.Metadata.Name, s)...)
		}
		if len(l) > 0 {
			m.log.WarnContext(ctx, "plugin refused", slog.String("plugin", obj.Metadata.Name), slog.Any("err", l.Err("")))
		}
		return l.Err("invalid plugin " + obj.Metadata.Name)
	}
}

// AdmitGrant is the PluginGrant kind's admission: the plugin is installed, and the
// grant gives only what it offers and asks for.
func (m *Manager) AdmitGrant(ctx context.Context, obj resource.Object, _ *resource.Object) error {
	g, err := decodeSpec[GrantSpec](obj.Spec)
	if err != nil {
		return apierr.Wrap(apierr.ValidationFailed, err, "invalid plugin grant")
	}
	objs, err := m.cfg.Resources.All(ctx, KindPlugin)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if o.Metadata.Name == obj.Metadata.Name {
			e, err := EntryOf(o)
			if err != nil {
				return err
			}
			return checkGrant(g, e).Err("invalid grant of plugin " + e.ID)
		}
	}
	return apierr.Invalid("invalid plugin grant", []apierr.FieldError{{Path: "/metadata/name", Message: fmt.Sprintf("no plugin %s is installed (gdbos plugin list)", obj.Metadata.Name)}})
}

func idPattern(id string) bool {
	if id == "" || len(id) > 40 || id[0] < 'a' || id[0] > 'z' || strings.HasSuffix(id, "-") || strings.Contains(id, "--") {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// CatalogObject is the Plugin resource that installs a binary with its manifest at
// a root tenant.
func CatalogObject(root, binary, sha256 string, m host.Manifest) resource.Object {
	return resource.Object{
		APIVersion: resource.DefaultAPIVersion, Kind: KindPlugin,
		Metadata: resource.Metadata{Tenant: root, Name: m.ID},
		Spec:     SpecFromManifest(binary, sha256, m).ToMap(),
	}
}
