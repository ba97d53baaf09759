package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// MongoWire is a MongoDB-wire server (FerretDB on SQLite) on an address
// of the caller's choice, to stand in for an external MongoDB: stopping
// it and starting another on the same address and folder is a database
// that goes away and comes back.
type MongoWire struct {
	URI    string
	cancel context.CancelFunc
	done   chan struct{}
}

// StartMongoWire serves the SQLite data in dbDir on addr (host:port).
func StartMongoWire(dbDir, addr string, logger *slog.Logger) (*MongoWire, error) {
	abs, err := filepath.Abs(dbDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	quiet := slog.New(levelFilter{Handler: logger.Handler().WithGroup("ferretdb"), min: slog.LevelError})
	ferretMu.Lock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Logger:    quiet,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	ferretMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("start MongoDB-wire server on %s: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &MongoWire{URI: f.MongoDBURI(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		_ = f.Run(ctx)
	}()
	return m, nil
}

// Stop closes the listener and the clients' connections and waits until
// the server has stopped.
func (m *MongoWire) Stop() {
	m.cancel()
	<-m.done
}
