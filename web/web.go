// Package web holds the portal's HTML templates and static files,
// embedded in the binary.
package web

import "embed"

// FS holds templates/ and static/.
//
//go:embed templates static
var FS embed.FS
