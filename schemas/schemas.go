// Package schemas ships GDBOS's data as files embedded in the binary: the JSON Schema
// of every kernel resource kind (kinds/KIND.json) and code tables (codetables/).
package schemas

import "embed"

// FS holds kinds/*.json, codetables/*.{csv,yaml} and dataelements/*.yaml.
//
//go:embed kinds codetables dataelements
var FS embed.FS
