// Package testenv gives tests real servers: the embedded FerretDB and
// versitygw (one pair per test binary, as versitygw allows one gateway per
// process) and, on request, a real MinIO process.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/smakom/webinar-portal/internal/embedded"
	"github.com/smakom/webinar-portal/internal/media"
)

var (
	once     sync.Once
	servers  *embedded.Servers
	client   *mongo.Client
	dataDir  string
	startErr error
)

// Main runs the tests of a package and stops the embedded servers after.
// Use it from TestMain: func TestMain(m *testing.M) { testenv.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if client != nil {
		_ = client.Disconnect(context.Background())
	}
	if servers != nil {
		servers.Stop()
	}
	if dataDir != "" {
		_ = os.RemoveAll(dataDir)
	}
	os.Exit(code)
}

func start(t testing.TB) {
	once.Do(func() {
		dataDir, startErr = os.MkdirTemp("", "portal-test-*")
		if startErr != nil {
			return
		}
		logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		servers, startErr = embedded.Start(context.Background(), dataDir, logger)
		if startErr != nil {
			return
		}
		client, startErr = mongo.Connect(options.Client().ApplyURI(servers.MongoURI).SetMaxPoolSize(4))
	})
	if startErr != nil {
		t.Fatalf("embedded test servers: %v", startErr)
	}
}

// Servers returns the embedded servers, starting them on first use.
func Servers(t testing.TB) *embedded.Servers {
	t.Helper()
	start(t)
	return servers
}

// MongoDB returns a fresh, empty database on the embedded server; it is
// dropped when the test ends.
func MongoDB(t testing.TB) *mongo.Database {
	t.Helper()
	start(t)
	db := client.Database("t" + randomHex(6))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = db.Drop(ctx)
	})
	return db
}

// MongoURI is the embedded server's URI.
func MongoURI(t testing.TB) string {
	t.Helper()
	start(t)
	return servers.MongoURI
}

// S3Config returns the embedded S3 server's settings with a fresh bucket name.
func S3Config(t testing.TB) media.Config {
	t.Helper()
	start(t)
	return media.Config{
		Endpoint:  servers.S3Endpoint,
		AccessKey: servers.S3AccessKey,
		SecretKey: servers.S3SecretKey,
		Bucket:    "t" + randomHex(6),
		Region:    "us-east-1",
	}
}

// Media opens a media store on a fresh bucket of the embedded S3 server.
func Media(t testing.TB) *media.Store {
	t.Helper()
	cfg := S3Config(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := media.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open media store: %v", err)
	}
	return st
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("random: %v", err))
	}
	return hex.EncodeToString(b)
}
