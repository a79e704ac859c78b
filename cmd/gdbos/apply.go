package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

func newApplyCmd() *cobra.Command {
	var files []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "apply -f FILE|DIR [-f …]",
		Short: "Create or update resources from YAML or JSON, all or none",
		Long: `Apply resources. Every document of every file (and every .yaml, .yml and .json file
under a folder) is applied in one transaction: if one is invalid, locked or forbidden,
none is written. Applying the same files again changes nothing. --dry-run validates
and prints what would change.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				return fmt.Errorf("give at least one -f FILE or DIR")
			}
			docs, err := readManifests(files)
			if err != nil {
				return err
			}
			c := newClient(cmd)
			var out struct {
				Apply []struct {
					Op       string `json:"op"`
					Resource struct {
						Kind, Tenant, Name string
						Version            int
					} `json:"resource"`
					Diff []struct {
						Op, Path string
						Old, New any
					} `json:"diff"`
				} `json:"applyResources"`
			}
			err = c.do(cmd.Context(), `mutation($y:String!,$d:Boolean){applyResources(yaml:$y,dryRun:$d){op resource{kind tenant name version} diff{op path old new}}}`,
				map[string]any{"y": docs, "d": dryRun}, &out)
			if err != nil {
				return err
			}
			suffix := ""
			if dryRun {
				suffix = " (dry run)"
			}
			for _, r := range out.Apply {
				fmt.Printf("%s/%s/%s %s%s\n", r.Resource.Kind, r.Resource.Tenant, r.Resource.Name, r.Op, suffix)
				if dryRun {
					for _, d := range r.Diff {
						fmt.Printf("  %s %s: %s → %s\n", d.Op, d.Path, compact(d.Old), compact(d.New))
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "file or folder to apply (repeatable; - for standard input)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "validate and show the diff, write nothing")
	return cmd
}

// readManifests joins every document of the named files and folders, in name order.
func readManifests(paths []string) (string, error) {
	var parts [][]byte
	for _, p := range paths {
		if p == "-" {
			b, err := readAll(os.Stdin)
			if err != nil {
				return "", err
			}
			parts = append(parts, b)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		if !info.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return "", err
			}
			parts = append(parts, b)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
				if !d.IsDir() {
					found = append(found, path)
				}
			}
			return nil
		})
		if err != nil {
			return "", err
		}
		sort.Strings(found)
		for _, f := range found {
			b, err := os.ReadFile(f)
			if err != nil {
				return "", err
			}
			parts = append(parts, b)
		}
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("no .yaml, .yml or .json files found")
	}
	return string(bytes.Join(parts, []byte("\n---\n"))), nil
}

func readAll(f *os.File) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(f)
	return buf.Bytes(), err
}
