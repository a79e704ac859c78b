// Package schemas ships GDBOS's data as files embedded in the binary: the JSON Schema
// of every kernel resource kind (kinds/KIND.json), code tables (codetables/), data
// elements (dataelements/) and the standard entity schemas (entities/).
package schemas

import "embed"

// FS holds kinds/*.json, codetables/*.{csv,yaml}, dataelements/*.yaml and
// entities/*.yaml.
//
//go:embed kinds codetables dataelements entities
var FS embed.FS
