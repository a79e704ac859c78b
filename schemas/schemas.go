// Package schemas ships GDBOS's data as files embedded in the binary: the JSON Schema
// of every kernel resource kind (kinds/KIND.json) and code tables (codetables/).
package schemas

import "embed"

// FS holds kinds/*.json and codetables/*.csv.
//
//go:embed kinds codetables
var FS embed.FS
