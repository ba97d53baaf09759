package main

import "github.com/smakom/webinar-portal/internal/portalproc"

// portalSettings are the settings a developer may have exported that the
// load test's portal must not inherit: an external MongoDB or S3 would
// not be a fresh store, and changed limits would change what is measured.
var portalSettings = portalproc.Unset{
	Names:    []string{"PORT", "DATA_DIR", "SEARCH_INDEX_DIR", "LOG_LEVEL", "MEDIA_DELIVERY", "DEV_TEMPLATES"},
	Prefixes: []string{"MONGODB_", "S3_", "MAX_"},
}
