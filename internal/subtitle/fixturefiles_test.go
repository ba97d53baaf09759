package subtitle

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateFixtures = flag.Bool("update-fixtures", false, "rewrite testdata/fixtures from fixtures()")

// fixtureDir is absolute, found at package start: starting the embedded
// servers moves the working directory.
var fixtureDir = func() string {
	d, err := filepath.Abs(filepath.Join("testdata", "fixtures"))
	if err != nil {
		panic(err)
	}
	return d
}()

// fixtureManifest lists the files for tests in other packages: file,
// format, number of cues, description.
const fixtureManifest = "fixtures.tsv"

// TestFixtureFiles keeps testdata/fixtures equal to fixtures(), so the
// server's round-trip tests upload exactly the files this package checks.
// Run with -update-fixtures after changing a fixture.
func TestFixtureFiles(t *testing.T) {
	var manifest strings.Builder
	manifest.WriteString("# file\tformat\tcues\tdescription (from fixtures_test.go: go test -run TestFixtureFiles -update-fixtures ./internal/subtitle/)\n")
	want := []string{fixtureManifest}
	for _, f := range fixtures(t) {
		fmt.Fprintf(&manifest, "%s\t%s\t%d\t%s\n", f.path, f.format, len(wantCues), f.name)
		want = append(want, f.path)
		checkFixtureFile(t, f.path, f.data)
	}
	checkFixtureFile(t, fixtureManifest, []byte(manifest.String()))

	entries, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !slices.Contains(want, e.Name()) {
			t.Errorf("testdata/fixtures/%s is no fixture any more: remove it", e.Name())
		}
	}
}

func checkFixtureFile(t *testing.T, name string, data []byte) {
	t.Helper()
	path := filepath.Join(fixtureDir, name)
	if *updateFixtures {
		if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%v (run go test -run TestFixtureFiles -update-fixtures ./internal/subtitle/)", err)
		return
	}
	if !bytes.Equal(got, data) {
		t.Errorf("testdata/fixtures/%s differs from its fixture (run go test -run TestFixtureFiles -update-fixtures ./internal/subtitle/)", name)
	}
}
