package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/smakom/webinar-portal/internal/config"
	"github.com/smakom/webinar-portal/internal/embedded"
)

// onlineStack opens the store for a command that may run beside a portal
// serving on the embedded default (backup): when DATA_DIR is locked and
// the lock holder published its servers in DATA_DIR/run.json, the
// command connects to them as it would to external servers, and
// otherwise opens the store as every command does.
func onlineStack(ctx context.Context) (*stack, error) {
	st, err := adminStack(ctx)
	if !errors.Is(err, embedded.ErrLocked) {
		return st, err
	}
	cfg, cerr := config.FromEnv()
	if cerr != nil {
		return nil, cerr
	}
	rf, rerr := embedded.ReadRunFile(cfg.DataDir)
	if errors.Is(rerr, os.ErrNotExist) {
		// Held by another command, or by a portal of a version that
		// publishes nothing.
		return nil, err
	}
	if rerr != nil {
		return nil, fmt.Errorf("%w\n(%v)", err, rerr)
	}
	// The lock holder removes a stale file when it takes the lock, so the
	// file is the holder's own; still, servers that do not answer must
	// not be mistaken for an empty store.
	if err := answering(rf); err != nil {
		return nil, fmt.Errorf("DATA_DIR %s is locked, but the servers named in %s do not answer (%v): "+
			"is the portal (pid %d) starting or stopping? Try again in a moment, or stop it", cfg.DataDir, embedded.RunFileName, err, rf.PID)
	}
	if cfg.EmbeddedMongo() {
		cfg.MongoURI = rf.MongoURI
	}
	if cfg.EmbeddedS3() {
		cfg.S3Endpoint, cfg.S3AccessKey, cfg.S3SecretKey, cfg.S3UseSSL = rf.S3Endpoint, rf.S3AccessKey, rf.S3SecretKey, false
	}
	if cfg.MongoURI == "" || cfg.S3Endpoint == "" {
		return nil, fmt.Errorf("%w\n(%s names no server for what the configuration leaves embedded)", err, embedded.RunFileName)
	}
	fmt.Fprintf(os.Stderr, "Portalen (pid %d) kör på %s: kommandot använder dess inbyggda servrar (MongoDB-wire %s, S3 %s).\n",
		rf.PID, cfg.DataDir, rf.MongoURI, rf.S3Endpoint)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return openStack(ctx, cfg, log)
}

// answering checks that something listens on the run file's addresses.
func answering(rf embedded.RunFile) error {
	var addrs []string
	if rf.MongoURI != "" {
		addrs = append(addrs, mongoHost(rf.MongoURI))
	}
	if rf.S3Endpoint != "" {
		addrs = append(addrs, rf.S3Endpoint)
	}
	for _, a := range addrs {
		c, err := net.DialTimeout("tcp", a, 3*time.Second)
		if err != nil {
			return err
		}
		c.Close()
	}
	return nil
}

// mongoHost is the host:port of a single-host mongodb:// URI such as the
// embedded server's "mongodb://127.0.0.1:PORT/".
func mongoHost(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	return u.Host
}
