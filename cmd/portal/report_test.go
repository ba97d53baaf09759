package main

import (
	"os"
	"path/filepath"
	"testing"
)

// writeReport writes a test's Markdown table to TEST_REPORTS_DIR/name,
// because go test shows nothing a passing test logs; `make test` sets the
// folder (test-reports/, git-ignored) and prints the files after the run.
// Without the variable the report still goes to a temporary folder, so
// the writing is exercised on every run.
func writeReport(t *testing.T, name, markdown string) {
	t.Helper()
	dir := os.Getenv("TEST_REPORTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("TEST_REPORTS_DIR: %v", err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(markdown), 0o644); err != nil {
		t.Fatalf("write report: %v", err)
	}
	t.Logf("report written to %s", path)
}
