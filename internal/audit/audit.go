// Package audit keeps a log of what staff changed and when: webinars
// created, edited, published and deleted, files uploaded, wishes triaged,
// accounts and roles given from the command line.
package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Entry is one change.
type Entry struct {
	ID      string    `bson:"_id" json:"id"`
	At      time.Time `bson:"at" json:"at"`
	ActorID string    `bson:"actor_id,omitempty" json:"actor_id,omitempty"`
	Actor   string    `bson:"actor" json:"actor"`   // e-mail, or "kommandoraden"
	Action  string    `bson:"action" json:"action"` // in Swedish: "publicerade webbinariet"
	Target  string    `bson:"target,omitempty" json:"target,omitempty"`
	Request string    `bson:"request" json:"request"` // "POST /staff/webinars/vatten/publish"
}

// CommandLine is the actor of changes made with the portal command.
const CommandLine = "kommandoraden"

// Log writes and reads the "audit" collection.
type Log struct {
	coll *mongo.Collection
}

// New keeps the log in db.
func New(db *mongo.Database) *Log { return &Log{coll: db.Collection("audit")} }

// Add records an entry (its ID and time are filled in).
func (l *Log) Add(ctx context.Context, e Entry) error {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	e.ID = hex.EncodeToString(b)
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	e.At = e.At.Truncate(time.Millisecond)
	if _, err := l.coll.InsertOne(ctx, e); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

// Recent returns up to limit entries, newest first.
func (l *Log) Recent(ctx context.Context, limit int) ([]Entry, error) {
	cur, err := l.coll.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	var out []Entry
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}
