package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/config"
	"github.com/smakom/webinar-portal/internal/embedded"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/metrics"
	"github.com/smakom/webinar-portal/internal/s3journal"
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/upload"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/internal/wish"
)

// stack is everything the portal runs on, opened from the config.
type stack struct {
	cfg      config.Config
	embedded *embedded.Servers // nil in external mode
	mongo    *mongo.Client
	db       *mongo.Database
	objects  *media.Store
	local    *media.LocalFiles // the embedded S3 server's files, nil otherwise
	s3       media.Config      // as connected, embedded or external
	accounts *account.Service
	webinars *webinar.Service
	tracks   *subtitle.Store
	wishes   *wish.Store
	uploads  *upload.Store // resumable uploads, DATA_DIR/uploads
}

// openStack starts the embedded servers when no external ones are set,
// connects both clients and builds the services.
func openStack(ctx context.Context, cfg config.Config, log *slog.Logger) (*stack, error) {
	return openStackWith(ctx, cfg, log, nil)
}

// openStackWith is openStack with the clients' calls timed in m (nil: not
// timed).
func openStackWith(ctx context.Context, cfg config.Config, log *slog.Logger, m *metrics.Metrics) (*stack, error) {
	st := &stack{cfg: cfg}
	// The embedded S3 server moves the working directory: resolve first.
	uploadsDir, err := filepath.Abs(filepath.Join(cfg.DataDir, "uploads"))
	if err != nil {
		return nil, err
	}
	mongoURI := cfg.MongoURI
	s3 := media.Config{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey,
		Bucket: cfg.S3Bucket, UseSSL: cfg.S3UseSSL, Region: cfg.S3Region,
		Timeout: cfg.S3Timeout, WrapTransport: m.S3Transport}
	// A MongoDB that cannot be reached fails each call within
	// MONGO_TIMEOUT instead of the driver's 30 s; the driver reconnects
	// by itself when the server is back. SetTimeout bounds every
	// operation whose context has no deadline (an upload's, a
	// background job's), so one that is connected but never answers
	// cannot hang a call either.
	clientOpts := options.Client().SetMonitor(m.MongoMonitor())
	if cfg.MongoTimeout > 0 {
		clientOpts.SetServerSelectionTimeout(cfg.MongoTimeout).SetConnectTimeout(cfg.MongoTimeout).
			SetTimeout(cfg.MongoTimeout)
	}
	if cfg.EmbeddedMongo() || cfg.EmbeddedS3() {
		// Whichever server is not configured externally runs in-process.
		srv, err := embedded.StartOnly(ctx, cfg.DataDir, log, cfg.EmbeddedMongo(), cfg.EmbeddedS3())
		if errors.Is(err, embedded.ErrLocked) {
			return nil, fmt.Errorf("%w\nStop the running portal first (or set DATA_DIR to another folder).", err)
		}
		if err != nil {
			return nil, err
		}
		st.embedded = srv
		if cfg.EmbeddedMongo() {
			mongoURI = srv.MongoURI
			// The embedded server loses concurrent updates to one
			// document; one connection serialises writes.
			clientOpts.SetMaxPoolSize(1)
		}
		if cfg.EmbeddedS3() {
			s3.Endpoint, s3.AccessKey, s3.SecretKey, s3.UseSSL = srv.S3Endpoint, srv.S3AccessKey, srv.S3SecretKey, false
		}
	}
	if cfg.MongoTimeout <= 0 {
		clientOpts.SetServerSelectionTimeout(10 * time.Second)
	}
	client, err := mongo.Connect(clientOpts.ApplyURI(mongoURI))
	if err != nil {
		st.close()
		return nil, fmt.Errorf("MONGODB_URI: %w", err)
	}
	st.mongo = client
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	// A database started at the same time may need a few seconds.
	for {
		err := client.Ping(pingCtx, nil)
		if err == nil {
			break
		}
		if pingCtx.Err() != nil {
			st.close()
			return nil, fmt.Errorf("MongoDB does not answer (MONGODB_URI): %w", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	st.db = client.Database(cfg.MongoDatabase)
	st.s3 = s3
	st.objects, err = media.Open(pingCtx, s3)
	if err != nil {
		st.close()
		return nil, fmt.Errorf("S3 storage (S3_ENDPOINT): %w", err)
	}
	// Multipart uploads are recorded until they end, so the sweeper can
	// abort those an outage left behind even if S3 no longer lists them.
	journal := s3journal.New(st.db)
	journal.SetTimeout(cfg.MongoTimeout)
	st.objects.SetJournal(journal)
	if st.embedded != nil && st.embedded.ObjectsDir != "" {
		if st.local, err = media.NewLocalFiles(st.embedded.ObjectsDir, s3.Bucket); err != nil {
			st.close()
			return nil, err
		}
	}
	st.accounts, err = account.NewService(pingCtx, st.db, cfg.SessionTTL)
	if err != nil {
		st.close()
		return nil, err
	}
	if cfg.SessionIdle > 0 {
		st.accounts.SetSessionIdle(cfg.SessionIdle)
	}
	store, err := webinar.NewStore(pingCtx, st.db)
	if err != nil {
		st.close()
		return nil, err
	}
	store.SetCallTimeout(cfg.MongoTimeout)
	st.tracks = subtitle.NewStore(st.db)
	st.webinars = webinar.NewService(store, st.objects, st.tracks,
		webinar.Limits{RecordingBytes: cfg.MaxRecordingBytes, SlidesBytes: cfg.MaxSlidesBytes, SubtitleBytes: cfg.MaxSubtitleBytes}, log)
	st.wishes = wish.NewStore(st.db)
	st.uploads, err = upload.NewStore(uploadsDir, upload.Options{Objects: st.objects, Target: st.webinars})
	if err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}

// close disconnects clients before stopping the embedded servers, which
// otherwise wait for open connections.
func (st *stack) close() {
	if st.mongo != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = st.mongo.Disconnect(ctx)
		cancel()
	}
	if st.embedded != nil {
		st.embedded.Stop()
	}
}

type mongoPinger struct{ c *mongo.Client }

func (p mongoPinger) Ping(ctx context.Context) error { return p.c.Ping(ctx, nil) }
