// Package plugins holds reference plugins, each a main package built only on sdk/.
package plugins
