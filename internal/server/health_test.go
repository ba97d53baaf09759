package server

import (
	"context"
	"net"
	"net/http"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type mongoClientPinger struct{ c *mongo.Client }

func (p mongoClientPinger) Ping(ctx context.Context) error { return p.c.Ping(ctx, nil) }

// TestReadyzNamesWhatIsDown points the MongoDB check at a port where
// nothing listens: a real failure, not a fake one.
func TestReadyzNamesWhatIsDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + addr).SetServerSelectionTimeout(300e6))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())

	p := newPortal(t)
	p.srv.deps.Ready["mongodb"] = mongoClientPinger{client}
	r := p.anonymous().get("/readyz")
	expectStatus(t, r, http.StatusServiceUnavailable)
	expectContains(t, r, `"down":["mongodb"]`)
	expectStatus(t, p.anonymous().get("/healthz"), http.StatusOK)
}
