package testenv

import (
	"context"
	"testing"

	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/minioserver"
)

// MinIO starts a real MinIO server (a separate process: MinIO is AGPL and is
// never imported) on loopback with its data in a temporary directory, and
// returns its settings with a fresh bucket name. The server is killed when
// the test ends. The binary comes from $MINIO_BIN, else `minio` on PATH, else
// the module's .tools/minio; when none exists the test fails and says to run
// `make test-deps`, which builds it.
func MinIO(t testing.TB) media.Config {
	t.Helper()
	bin, err := minioserver.Binary()
	if err != nil {
		t.Fatalf("MinIO server: %v; run `make test-deps` to build it into .tools/ (or set MINIO_BIN)", err)
	}
	srv, err := minioserver.Start(context.Background(), bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return media.Config{
		Endpoint:  srv.Addr,
		AccessKey: srv.User,
		SecretKey: srv.Password,
		Bucket:    "t" + randomHex(6),
		Region:    "us-east-1",
	}
}
